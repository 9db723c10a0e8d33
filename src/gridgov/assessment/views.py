"""The assessment's pages under /assessment/: the results of a year (streets by zone,
communities A/B/C, departments), one area's indicator lines, and the rules (zones,
indicators, weights, targets, grade bands, formulas) with forms for the district's editors.
Thin: reads are assessment.selectors, writes assessment.services and assessment.runs; a
refused or bad write goes back to the page with its message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.scope import lives_as_resident
from gridgov.areas.models import Area
from gridgov.assessment import runs, selectors
from gridgov.assessment.access import district_root, reader_prefix
from gridgov.assessment.page_data import area_page, overview_page
from gridgov.assessment.setup_forms import setup_apply
from gridgov.common.errors import DomainError

MAX_CODE = 18


def _refuse(request: HttpRequest, message: str = "", status: int = 403) -> HttpResponse:
    # Bad input (400) and a state conflict (409) say what is wrong; the forbidden page
    # is for denials (403) and what the reader may not know exists (404).
    if status in (400, 409):
        context = {"message": message, "status": status}
        return render(request, "analytics/bad_input.html", context, status=status)
    return render(request, "web/forbidden.html", {"message": message}, status=status)


def _year(raw: str | None) -> int | None:
    try:
        year = int(raw or "")
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


def _run_id(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if 1 <= value <= 2**62 else None


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """A year's results: ?year= (the latest by default), ?run= for a version."""
    if lives_as_resident(request.user):
        return _refuse(request)
    raw_year = request.GET.get("year")
    year = _year(raw_year)
    if raw_year and year is None:
        return _refuse(request, _("Choose a year from 2000 to 2100."), 400)
    raw_run = request.GET.get("run")
    if raw_run and _run_id(raw_run) is None:
        return _refuse(request, _("No such assessment."), 400)
    try:
        context = overview_page(
            request.user,
            root_code=(request.GET.get("root") or "")[:MAX_CODE] or None,
            year=year,
            run_id=_run_id(request.GET.get("run")),
        )
    except DomainError as error:
        return _refuse(request, error.message, error.status)
    return render(request, "assessment/overview.html", context)


@login_required
@require_GET
def area_detail(request: HttpRequest, assessment_id: int, code: str) -> HttpResponse:
    if lives_as_resident(request.user):
        return _refuse(request)
    try:
        context = area_page(request.user, assessment_id, code[:MAX_CODE])
    except DomainError as error:
        return _refuse(request, error.message, error.status)
    return render(request, "assessment/area.html", context)


@login_required
@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    """The rules, read-only for readers; with forms for the district's editors."""
    if lives_as_resident(request.user) or reader_prefix(request.user) is None:
        return _refuse(request)
    try:
        rules = selectors.zones_read(
            user=request.user, root_code=(request.GET.get("root") or "")[:MAX_CODE] or None
        )
    except DomainError as error:
        return _refuse(request, error.message, error.status)
    used = {ind["key"] for zone in rules["zones"] for ind in zone["indicators"]}
    for zone in rules["zones"]:
        total = sum(ind["weight"] for ind in zone["indicators"]) or 1.0
        for ind in zone["indicators"]:
            ind["share"] = round(100.0 * ind["weight"] / total, 1)
    context = {
        "rules": rules,
        "catalog": selectors.indicator_catalog(),
        "used": used,
        "streets": _district_streets(rules["root"]["code"]) if rules["editable"] else [],
    }
    return render(request, "assessment/setup.html", context)


def _district_streets(root_code: str) -> list[dict]:
    return list(
        Area.objects.filter(kind="street", parent__code=root_code)
        .order_by("code")
        .values("code", "name")
    )


@login_required
@require_POST
def setup_post(request: HttpRequest) -> HttpResponse:
    if lives_as_resident(request.user):
        return _refuse(request)
    try:
        message = setup_apply(request.user, request.POST)
    except DomainError as error:
        if error.status in (403, 404):
            return _refuse(request, error.message, error.status)
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect(reverse("assessment:setup"))


@login_required
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    if lives_as_resident(request.user):
        return _refuse(request)
    year = _year(request.POST.get("year")) or timezone.localdate().year
    try:
        root = district_root((request.POST.get("root") or "")[:MAX_CODE] or None, request.user)
        run = runs.assessment_request(user=request.user, root_code=root.code, year=year)
    except DomainError as error:
        if error.status in (403, 404):
            return _refuse(request, error.message, error.status)
        messages.error(request, error.message)
        return redirect(reverse("assessment:overview") + f"?year={year}")
    # Queued (or the year's run already queued or running): the page follows its state.
    messages.success(
        request,
        _("Version %(v)d is being computed; this page refreshes until it is done.")
        % {"v": run.version},
    )
    return redirect(reverse("assessment:overview") + f"?run={run.pk}")


@login_required
@require_POST
def publish(request: HttpRequest, assessment_id: int) -> HttpResponse:
    if lives_as_resident(request.user) or not 1 <= assessment_id <= 2**62:
        return _refuse(request)
    try:
        run = runs.assessment_publish(user=request.user, assessment_id=assessment_id)
    except DomainError as error:
        if error.status in (403, 404):
            return _refuse(request, error.message, error.status)
        messages.error(request, error.message)
        return redirect(reverse("assessment:overview") + f"?run={assessment_id}")
    messages.success(request, _("Published. The results no longer change."))
    return redirect(reverse("assessment:overview") + f"?run={run.pk}")
