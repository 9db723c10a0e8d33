"""The reports page (list, ask, subscribe), the report downloads and the event export link."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.common.schemas import MAX_ID
from gridgov.reports import selectors
from gridgov.reports.export import ALL_FILTERS
from gridgov.reports.labels import kind_names, period_name
from gridgov.reports.models import Report
from gridgov.reports.periods import KINDS, period_last_ended
from gridgov.reports.services import FORMATS, report_file
from gridgov.reports.views_export import export_response


def _refused(request: HttpRequest, message: str = "", status: int = 403) -> HttpResponse:
    # Bad input (400) and a state conflict (409) say what is wrong; the forbidden page
    # is for denials (403) and what the reader may not know exists (404).
    if status in (400, 409):
        context = {"message": message, "status": status}
        return render(request, "analytics/bad_input.html", context, status=status)
    return render(request, "web/forbidden.html", {"message": message}, status=status)


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ANALYTICS_VIEW):
        return _refused(request)
    kind = request.GET.get("period") if request.GET.get("period") in KINDS else None
    reports = list(selectors.reports_visible(user=request.user, kind=kind)[: selectors.MAX_LISTED])
    names = kind_names()
    subscribed = {(s.area.code, s.kind) for s in selectors.subscriptions_of(user=request.user)}
    areas = selectors.report_areas(user=request.user)
    no_area_note = ""
    if not areas:  # a community's staff: its figures are in its street's report
        level = request.user.area.get_kind_display() if request.user.area_id else "—"
        no_area_note = _(
            "Reports are made for the district and for each street, not for a %(level)s."
        ) % {"level": level}
    return render(
        request,
        "reports/index.html",
        {
            "reports": [
                {"row": r, "kind_name": names[r.kind], "period_name": period_name(r.period)}
                for r in reports
            ],
            "areas": areas,
            "no_area_note": no_area_note,
            "kinds": [(k, names[k], period_last_ended(k).key) for k in KINDS],
            "kind": kind,
            "ui": {
                "making": _("Making the report…"),
                "ready": _("The report is ready."),
                "saved": _("Saved."),
            },
            "subscriptions": [
                {"area": a, "kinds": [(k, names[k], (a.code, k) in subscribed) for k in KINDS]}
                for a in areas
            ],
        },
    )


@login_required
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS or report_id > MAX_ID:
        return _refused(request, _("No such report."), 404)
    try:
        report = selectors.report_get(user=request.user, report_id=report_id)
    except DomainError as error:
        return _refused(request, error.message, 404)
    path = report_file(report, fmt)
    if report.status != Report.Status.DONE or not path.exists():
        return _refused(request, _("The report is not ready yet."), 409)
    filename = f"report-{report.area.code}-{report.period.key}.{fmt}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)


@login_required
def events_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = {key: request.GET.get(key) for key in ALL_FILTERS}
    try:
        return export_response(request.user, filters, fmt, client_address(request))
    except PermissionDenied as error:
        return _refused(request, error.message)
    except DomainError as error:
        return _refused(request, error.message, error.status)
