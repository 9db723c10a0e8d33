"""Queue tasks of the reports app: they only call services (reports/services.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gridgov.reports import services


@db_task()
def report_run_task(report_id: int) -> bool:
    """Make one report's files; a report already taken or made is left alone."""
    return services.report_run(report_id=report_id)


@db_periodic_task(crontab(minute="7"))
def reports_due_task() -> int:
    """Hourly: each subscribed area's report of the period that last ended (yesterday, last
    week, month, quarter, year), made once and sent to its subscribers' inboxes."""
    return len(services.reports_due())


@db_periodic_task(crontab(minute="*/5"))
def reports_requeue_task() -> int:
    """Every five minutes: start again the reports whose consumer died or whose task was
    lost. Safe on several consumers at once: each report is claimed by compare-and-swap."""
    report_ids = services.reports_orphaned()
    for report_id in report_ids:
        report_run_task(report_id)
    return len(report_ids)
