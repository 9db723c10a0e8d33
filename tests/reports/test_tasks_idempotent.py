"""The reports' queue tasks run twice change nothing the second time (tests/tasks lists
them as covered here): several consumers may run the same task at the same moment."""

import datetime as dt

import pytest

from gridgov.reports import services
from gridgov.reports.models import Report
from gridgov.reports.tasks import report_run_task, reports_due_task, reports_requeue_task


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_report_run_task_twice_makes_the_files_once(leader, district):
    report = services.report_request(user=leader, area_code="530702", kind="month", date="2026-03")
    assert report_run_task.call_local(report.pk) is True
    report.refresh_from_db()
    finished_at = report.finished_at
    assert report_run_task.call_local(report.pk) is False
    report.refresh_from_db()
    assert (report.status, report.finished_at) == ("done", finished_at)


def test_reports_due_task_twice_queues_each_period_once(
    leader, district, django_capture_on_commit_callbacks
):
    services.subscription_set(user=leader, area_code="530702", kind="month", subscribed=True)
    with django_capture_on_commit_callbacks(execute=True):  # its task runs after commit
        assert reports_due_task.call_local() >= 1  # the month that last ended, made and told
    made = Report.objects.count()
    assert reports_due_task.call_local() == 0
    assert Report.objects.count() == made


def test_reports_requeue_task_twice_restarts_a_dead_job_once(leader, district):
    report = services.report_request(user=leader, area_code="530702", kind="month", date="2026-03")
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    Report.objects.filter(pk=report.pk).update(status="running", updated_at=stale)
    assert reports_requeue_task.call_local() == 1  # queued again, and the tests' queue runs it
    report.refresh_from_db()
    assert report.status == "done"
    assert reports_requeue_task.call_local() == 0
