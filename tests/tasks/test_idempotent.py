"""Every queue task is idempotent: run twice, the second run changes nothing and reports
nothing new. Several consumers may run the same task at the same moment (a retry, the
periodic re-enqueue, a periodic task scheduled by every consumer), so this is what makes
that safe. A task without a test here fails `test_every_task_is_covered`."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from gridgov.care.tasks import quality_figures_warm_task
from gridgov.dispatch.models import PositionSample
from gridgov.dispatch.tasks import tracks_purge_task
from gridgov.events.models import Event
from gridgov.events.photos import Photo, photo_store
from gridgov.events.services import event_act, event_report
from gridgov.events.tasks import deadlines_sweep_task, photos_purge_task
from gridgov.notifications.models import Channel, Delivery
from gridgov.notifications.services import notify
from gridgov.notifications.tasks import deliveries_requeue, delivery_send
from gridgov.smartcodes.jobs import plate_job_request
from gridgov.smartcodes.models import PlateJob
from gridgov.smartcodes.tasks import plate_job_run, plate_jobs_requeue
from tests.conftest import WENHUI
from tests.events.conftest import report_data
from tests.events.factories import jpeg_bytes

COVERED = {
    "gridgov.events.tasks.deadlines_sweep_task",
    "gridgov.events.tasks.photos_purge_task",
    # Run twice (warned once) in tests/events/test_whistle_deadlines.py.
    "gridgov.events.tasks.whistles_sweep_task",
    "gridgov.dispatch.tasks.tracks_purge_task",
    "gridgov.notifications.tasks.delivery_send",
    "gridgov.notifications.tasks.deliveries_requeue",
    "gridgov.smartcodes.tasks.plate_job_run",
    "gridgov.smartcodes.tasks.plate_jobs_requeue",
    # Run twice (warned once a day) in tests/care/test_overdue.py.
    "gridgov.care.tasks.overdue_visits_warn_task",
    "gridgov.care.tasks.quality_figures_warm_task",
    # Run twice in tests/reports/test_tasks_idempotent.py.
    "gridgov.reports.tasks.report_run_task",
    "gridgov.reports.tasks.reports_due_task",
    "gridgov.reports.tasks.reports_requeue_task",
    # Run twice in tests/assessment/test_queue.py.
    "gridgov.assessment.tasks.assessment_run_task",
    "gridgov.assessment.tasks.assessments_requeue_task",
}


def test_every_task_is_covered():
    autodiscover_modules("tasks")  # what `run_huey` loads
    ours = {name for name in HUEY._registry._registry if name.startswith("gridgov.")}
    assert ours == COVERED


@pytest.mark.django_db
def test_deadline_sweep(operator, reporter, wenhui_point):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event = event_act(user=operator, event_id=event.pk, action="accept")
    Event.objects.filter(pk=event.pk).update(stage_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert deadlines_sweep_task.call_local() == 1
    assert deadlines_sweep_task.call_local() == 0
    assert event.timeline.filter(action__startswith="deadline_").count() == 1


@pytest.mark.django_db
def test_photos_purge(reporter, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    photo = photo_store(user=reporter, name="a.jpg", content=jpeg_bytes())
    Photo.objects.filter(pk=photo.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert photos_purge_task.call_local() == 1
    assert photos_purge_task.call_local() == 0
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_tracks_purge(grid_worker):
    now = timezone.now()
    for days in (1, 40, 41):
        PositionSample.objects.create(
            user=grid_worker, lon=100.23, lat=26.87, at=now - dt.timedelta(days=days)
        )
    assert tracks_purge_task.call_local() == 2
    assert tracks_purge_task.call_local() == 0
    assert PositionSample.objects.count() == 1


@pytest.mark.django_db
def test_delivery_send(gateway, recipient):
    Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook")
    notify(users=[recipient], kind="dispatched", text="派遣")  # not committed: not enqueued
    delivery = Delivery.objects.get()
    assert delivery_send.call_local(delivery.pk) == "sent"
    assert delivery_send.call_local(delivery.pk) == "not_due"
    assert len(gateway.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_deliveries_requeue(gateway, recipient):
    Channel.objects.create(name="hook", kind="webhook", url=gateway.url + "/hook")
    notify(users=[recipient], kind="dispatched", text="派遣")
    # Its task was lost (the queue was down at commit): overdue by more than a lease.
    Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    assert deliveries_requeue.call_local() == 1  # enqueued, and the tests' queue runs it
    assert deliveries_requeue.call_local() == 0
    assert len(gateway.received) == 1
    assert Delivery.objects.get().status == "sent"


@pytest.mark.django_db
def test_plate_job_run_and_requeue(community_staff, places, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = plate_job_request(user=community_staff, root_code=WENHUI)  # not committed
    PlateJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert plate_jobs_requeue.call_local() == 1  # a queued job whose task was lost
    assert plate_jobs_requeue.call_local() == 0
    job.refresh_from_db()
    assert job.status == "done"
    finished_at = job.finished_at
    assert plate_job_run.call_local(job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.finished_at) == ("done", finished_at)


@pytest.mark.django_db
def test_quality_figures_warm_counts_the_same_areas_twice(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first = quality_figures_warm_task.call_local()
    assert first > 0  # the district and its streets
    assert quality_figures_warm_task.call_local() == first
