"""Every write of the reports app: asking for a report, making it (the queue's job),
subscriptions, and telling subscribers. Reads are in selectors.py.

A report is made by a queue consumer (tasks.report_run): the row is claimed by
compare-and-swap (queued → running) so one consumer makes it however often the task is
handed out; both files are written under a temporary name and renamed, so a download never
sees half a file. A running job whose heartbeat stopped is queued again (reports_orphaned).
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import area_in_scope, can, require_area_in_scope, require_capability
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound
from gridgov.notifications.services import notify
from gridgov.reports.figures import report_figures
from gridgov.reports.labels import kind_names, period_name
from gridgov.reports.models import Report, Subscription
from gridgov.reports.pdf import report_pdf
from gridgov.reports.periods import KINDS, Period, period_last_ended, period_parse
from gridgov.reports.xlsx import report_xlsx

logger = logging.getLogger("gridgov.tasks")
FORMATS = ("pdf", "xlsx")
# Reports are made for the district and for each street (the issue): the levels people are
# assessed and led at. A community's figures are in its street's report.
REPORT_LEVELS = (AreaKind.COUNTY, AreaKind.STREET)
NOTIFICATION_KIND = "report_ready"
STALE = dt.timedelta(minutes=10)


def reports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_file(report: Report, fmt: str) -> Path:
    return reports_dir() / f"report-{report.pk}.{fmt}"


def report_area(*, user: User, code: str) -> Area:
    """The area a report may be asked for or subscribed to by this user (the area's leaders
    and staff with ANALYTICS_VIEW, inside their own area), or a clear refusal."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    area = Area.objects.filter(code=str(code)[:18]).first()
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": str(code)[:18]}, field="area"
        )
    require_area_in_scope(user, area, field="area")
    if area.kind not in REPORT_LEVELS:
        raise DomainError(
            _("Reports are made for the district and for each street, not for a %(level)s.")
            % {"level": area.get_kind_display()},
            code="bad_area_level",
            field="area",
        )
    return area


def _check_started(period: Period, today: dt.date) -> None:
    if period.start > today:
        raise DomainError(
            _("The period %(period)s has not begun yet.") % {"period": period.key},
            code="bad_period",
            field="date",
        )


def report_request(*, user: User, area_code: str, kind: str, date: str) -> Report:
    """Ask for the area's report of the period named by `kind` and `date`; the existing one
    when it is being made or was made after its period ended, otherwise it is made (again)."""
    area = report_area(user=user, code=area_code)
    period = period_parse(kind, date)
    _check_started(period, timezone.localdate())
    return report_ensure(area=area, period=period, requested_by=user)


def report_ensure(*, area: Area, period: Period, requested_by: User | None = None) -> Report:
    """The (area, period) report, queued to be made unless it is in the making or final."""
    report, created = Report.objects.get_or_create(
        area=area,
        kind=period.kind,
        start=period.start,
        defaults={"end": period.end, "requested_by": requested_by},
    )
    if not created:
        final = (
            report.status == Report.Status.DONE
            and report.finished_at is not None
            and timezone.localtime(report.finished_at).date() >= period.end
        )
        if final or report.status in (Report.Status.QUEUED, Report.Status.RUNNING):
            return report
        # Made before its period ended, or failed: made again (compare-and-swap on the status).
        if not Report.objects.filter(pk=report.pk, status=report.status).update(
            status=Report.Status.QUEUED, progress=0.0, error="", updated_at=timezone.now()
        ):
            return Report.objects.get(pk=report.pk)
        report.refresh_from_db()
    _enqueue(report.pk)
    return report


def _enqueue(report_id: int) -> None:
    from gridgov.reports.tasks import report_run_task  # tasks import this module

    # After the commit, so the consumer finds the row; robust: with the queue down the request
    # still succeeds and the periodic task (tasks.reports_requeue) starts the job later.
    transaction.on_commit(lambda: report_run_task(report_id), robust=True)


def report_run(*, report_id: int, now: dt.datetime | None = None) -> bool:
    """Make one queued report's files; False if it is not queued (another consumer's, done)."""
    claimed = Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
        status=Report.Status.RUNNING, progress=0.0, updated_at=timezone.now()
    )
    if not claimed:
        return False
    report = Report.objects.select_related("area").get(pk=report_id)
    running = Report.objects.filter(pk=report_id, status=Report.Status.RUNNING)
    try:
        # The district's language (the documents are filed and printed), not the consumer's.
        with translation.override(settings.LANGUAGE_CODE):
            figures = report_figures(area=report.area, period=report.period, now=now)
            running.update(progress=0.4, updated_at=timezone.now())
            contents = {"xlsx": report_xlsx(figures)}
            running.update(progress=0.6, updated_at=timezone.now())
            contents["pdf"] = report_pdf(figures)
        for fmt, content in contents.items():
            target = report_file(report, fmt)
            partial = target.with_suffix(f".{fmt}.part")
            partial.write_bytes(content)
            partial.replace(target)  # the download never sees half a file
        done = running.update(
            status=Report.Status.DONE,
            progress=1.0,
            xlsx_bytes=len(contents["xlsx"]),
            pdf_bytes=len(contents["pdf"]),
            finished_at=timezone.now(),
        )
    except Exception as error:  # noqa: BLE001 (the row records any failure for the user)
        running.update(
            status=Report.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    if done:
        logger.info("report %s done", report_id)
        subscribers_notify(report_id=report_id)
    return bool(done)


def subscribers_notify(*, report_id: int) -> int:
    """Tell the report's subscribers, once (a compare-and-swap on the row's flag), and only
    those who may still read it (a moved or demoted subscriber is told nothing)."""
    report = Report.objects.select_related("area").get(pk=report_id)
    if report.status != Report.Status.DONE or report.finished_at is None:
        return 0
    if timezone.localtime(report.finished_at).date() < report.end:
        return 0  # made before its period ended: the final one is announced
    if not Report.objects.filter(pk=report_id, subscribers_notified=False).update(
        subscribers_notified=True
    ):
        return 0
    subscribers = [
        s.user
        for s in Subscription.objects.filter(area=report.area, kind=report.kind).select_related(
            "user__area"
        )
        if can(s.user, Capability.ANALYTICS_VIEW) and area_in_scope(s.user, report.area)
    ]
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(report)s of %(area)s for %(period)s is ready: /reports/%(id)s/report.pdf") % {
            "report": kind_names()[report.kind],
            "area": report.area.name,
            "period": period_name(report.period),
            "id": report.pk,
        }
    return notify(users=subscribers, kind=NOTIFICATION_KIND, text=text)


def subscription_set(*, user: User, area_code: str, kind: str, subscribed: bool) -> bool:
    """Subscribe the user to the area's reports of `kind` (or stop); True if subscribed now."""
    area = report_area(user=user, code=area_code)
    if kind not in KINDS:
        raise DomainError(
            _("Unknown report period %(kind)s; it takes one of: %(kinds)s.")
            % {"kind": str(kind)[:20], "kinds": ", ".join(KINDS)},
            code="bad_period",
            field="kind",
        )
    if subscribed:
        Subscription.objects.get_or_create(user=user, area=area, kind=kind)
    else:
        Subscription.objects.filter(user=user, area=area, kind=kind).delete()
    return subscribed


def reports_due(*, today: dt.date | None = None) -> list[int]:
    """The reports of every subscribed (area, kind) for its last ended period, made if they
    are not; those already made and final are announced to subscribers not yet told.
    Idempotent: run it as often as you like (the periodic task runs it hourly)."""
    today = today or timezone.localdate()
    queued: list[int] = []
    pairs = Subscription.objects.values_list("area_id", "kind").distinct().order_by()
    areas = Area.objects.in_bulk({area_id for area_id, _kind in pairs})
    for area_id, kind in pairs:
        period = period_last_ended(kind, today)
        report = report_ensure(area=areas[area_id], period=period)
        if report.status == Report.Status.DONE:
            subscribers_notify(report_id=report.pk)
        else:
            queued.append(report.pk)
    return queued


def reports_orphaned(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the running reports whose heartbeat stopped (their consumer died), and
    return every queued one old enough that its own task should have started it."""
    now = now or timezone.now()
    requeued: list[int] = []
    for report_id, updated_at in Report.objects.filter(
        status=Report.Status.RUNNING, updated_at__lt=now - STALE
    ).values_list("pk", "updated_at"):
        # Compare-and-swap on the heartbeat: a job that moved meanwhile keeps running.
        if Report.objects.filter(
            pk=report_id, status=Report.Status.RUNNING, updated_at=updated_at
        ).update(status=Report.Status.QUEUED, updated_at=now):
            logger.warning("report %s stopped without finishing: queued again", report_id)
            requeued.append(report_id)
    waiting = Report.objects.filter(
        status=Report.Status.QUEUED, updated_at__lte=now - dt.timedelta(seconds=30)
    )
    return sorted({*requeued, *waiting.order_by("pk").values_list("pk", flat=True)[:50]})


def report_build_files(*, area_code: str, kind: str, date: str, fmt: str) -> bytes:
    """One file of an area's report, made here and now (the `gridgov report` command: an
    operator's tool on the server, outside any user's scope)."""
    if fmt not in FORMATS:
        raise DomainError(
            _("A report is made as %(formats)s.") % {"formats": " or ".join(FORMATS)},
            code="bad_format",
            field="format",
        )
    area = Area.objects.filter(code=str(area_code)).first()
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": area_code}, field="root"
        )
    period = period_parse(kind, date)
    with translation.override(settings.LANGUAGE_CODE):
        figures = report_figures(area=area, period=period)
        return report_xlsx(figures) if fmt == "xlsx" else report_pdf(figures)
