"""The authorization matrix's calls for one part of issue 13 (rows in
authorization_matrix_reports.csv): reports, subscriptions and the event export. Same shape
as calls.CALLS.

The world's report is 西安街道's (the street holding 文汇社区) for the last month that
ended, made: readers with ANALYTICS_VIEW whose area holds the street (the street's and the
district's staff, the center, leaders) read it; 文汇's own staff read analytics of their
community only, so the street's report is not theirs. Reports are asked for (and subscribed
to) for the district and streets only."""

from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.reports.models import Report
from gridgov.reports.periods import period_last_ended
from gridgov.reports.services import report_file
from tests.security.calls import Builder, Call
from tests.security.world import STREET, World

API = "/api/v1/reports"


def _report(world: World) -> Report:
    period = period_last_ended("month")
    report, _created = Report.objects.get_or_create(
        area=Area.objects.get(code=STREET),
        kind="month",
        start=period.start,
        defaults={
            "end": period.end,
            "status": "done",
            "finished_at": timezone.now(),
            "progress": 1.0,
        },
    )
    for fmt in ("pdf", "xlsx"):
        path = report_file(report, fmt)
        if not path.exists():
            path.write_bytes(b"%PDF-1.4 matrix" if fmt == "pdf" else b"PK matrix")
    return report


def _listed(world: World) -> Call:
    report = _report(world)
    return Call(
        "GET", f"{API}/", marker=lambda answer: any(r["id"] == report.pk for r in answer or [])
    )


def _one(world: World) -> Call:
    report = _report(world)
    return Call(
        "GET",
        f"{API}/{report.pk}",
        marker=lambda answer: bool(answer) and answer.get("id") == report.pk,
    )


def _ask(world: World) -> Call:
    # A week's report: a new row for whoever may ask (the world's report is a month's).
    week = period_last_ended("week").key
    return Call(
        "POST", f"{API}/", body={"area": STREET, "period": "week", "date": week}, write=True
    )


def _subscriptions(world: World) -> Call:
    return Call("GET", f"{API}/subscriptions")


def _subscribe(world: World) -> Call:
    return Call("PUT", f"{API}/subscriptions", body={"area": STREET, "period": "month"}, write=True)


def _export_api(world: World) -> Call:
    # An export is judged by its audit row: allowed means it happened (and was recorded).
    return Call("GET", f"{API}/events-export?format=csv", write=True)


def _export_page(world: World) -> Call:
    return Call("GET", "/reports/export/events.xlsx", write=True)


def _export_bad_filter(world: World) -> Call:
    return Call("GET", "/reports/export/events.csv?state=nonsense")


def _page(world: World) -> Call:
    report = _report(world)
    return Call("GET", "/reports/", marker=f'data-report-id="{report.pk}"')


def _download(world: World) -> Call:
    return Call("GET", f"/reports/{_report(world).pk}/report.pdf")


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/", ""): _listed,
    ("POST", f"{API}/", ""): _ask,
    ("GET", f"{API}/subscriptions", ""): _subscriptions,
    ("PUT", f"{API}/subscriptions", ""): _subscribe,
    ("GET", f"{API}/events-export", ""): _export_api,
    ("GET", f"{API}/{{report_id}}", ""): _one,
    ("GET", "/reports/", ""): _page,
    ("GET", "/reports/<report_id>/report.<fmt>", ""): _download,
    ("GET", "/reports/export/events.<fmt>", ""): _export_page,
    ("GET", "/reports/export/events.<fmt>", "bad_filter"): _export_bad_filter,
}
