"""The reports API: ask for an area's report of a period, follow it, list what one may read,
subscribe to an area's reports, and export events (the downloads are pages: /reports/…)."""

from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Query, Router, Status

from gridgov.common.client import client_address
from gridgov.common.schemas import Id, errors
from gridgov.reports import selectors, services
from gridgov.reports.models import Report
from gridgov.reports.schemas import (
    PeriodKindIn,
    ReportOut,
    ReportRequestIn,
    SubscriptionIn,
    SubscriptionOut,
)
from gridgov.reports.views_export import export_response

router = Router(tags=["reports"])
Text = Annotated[str | None, Query(max_length=64)]


def report_dict(report: Report) -> dict:
    done = report.status == Report.Status.DONE
    return {
        "id": report.pk,
        "area": report.area.code,
        "area_name": report.area.name,
        "period": report.kind,
        "key": report.period.key,
        "start": report.start,
        "last_day": report.period.last_day,
        "status": report.status,
        "progress": report.progress,
        "error": report.error,
        "finished_at": report.finished_at,
        "pdf": f"/reports/{report.pk}/report.pdf" if done else None,
        "xlsx": f"/reports/{report.pk}/report.xlsx" if done else None,
    }


@router.get(
    "/",
    response={200: list[ReportOut], **errors(400, 403)},
    summary="Reports of the areas one may read, newest period first",
)
def reports_list(
    request,
    period: PeriodKindIn | None = None,
    area: Annotated[str | None, Query(max_length=18)] = None,
):
    reports = selectors.reports_visible(user=request.user, kind=period, area=area)
    return [report_dict(r) for r in reports[: selectors.MAX_LISTED]]


@router.post(
    "/",
    response={202: ReportOut, **errors(400, 403, 404)},
    summary="Ask for an area's report of a period (made by the queue)",
)
def report_create(request, payload: ReportRequestIn):
    report = services.report_request(
        user=request.user, area_code=payload.area, kind=payload.period, date=payload.date
    )
    return Status(202, report_dict(report))


@router.get(
    "/subscriptions",
    response={200: list[SubscriptionOut], **errors(403)},
    summary="The areas and periods whose reports come to one's inbox",
)
def subscriptions_list(request):
    return [
        {"area": s.area.code, "area_name": s.area.name, "period": s.kind}
        for s in selectors.subscriptions_of(user=request.user)
    ]


@router.put(
    "/subscriptions",
    response={200: list[SubscriptionOut], **errors(400, 403, 404)},
    summary="Subscribe to an area's reports of a period (or stop: subscribed false)",
)
def subscription_put(request, payload: SubscriptionIn):
    services.subscription_set(
        user=request.user,
        area_code=payload.area,
        kind=payload.period,
        subscribed=payload.subscribed,
    )
    return subscriptions_list(request)


@router.get(
    "/events-export",
    response={200: None, **errors(400, 403, 404)},
    summary="The queue's events as CSV or Excel (the queue's filters; at most 50,000 rows)",
)
def events_export(
    request,
    format: Literal["csv", "xlsx"] = "xlsx",  # noqa: A002 (the query parameter's name)
    state: Text = None,
    area: Text = None,
    subclass: Text = None,
    source: Text = None,
    urgency: Text = None,
    warned: Text = None,
    overdue: bool = False,
    mine: bool = False,
    supervised: bool = False,
    urgent: bool = False,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
) -> HttpResponse:
    """`since`/`until`: local dates (the whole day) or ISO times. Personal data masked
    without PII_VIEW; every export is recorded (who, filters, rows)."""
    filters = {
        "state": state,
        "area": area,
        "subclass": subclass,
        "source": source,
        "urgency": urgency,
        "warned": warned,
        "overdue": overdue,
        "mine": mine,
        "supervised": supervised,
        "urgent": urgent,
        "since": since,
        "until": until,
    }
    return export_response(request.user, filters, format, client_address(request))


@router.get(
    "/{report_id}",
    response={200: ReportOut, **errors(403, 404)},
    summary="One report and its progress",
)
def report_get(request, report_id: Id):
    return report_dict(selectors.report_get(user=request.user, report_id=report_id))
