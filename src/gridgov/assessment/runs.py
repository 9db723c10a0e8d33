"""Computing a district's combined assessment for a year, as a queue job, and publishing
(公示) it.

Asking (`assessment_request`) checks the editor, the year and the rules, and writes the run
`queued` with its period and its copy of the rules (scoring.rules_snapshot), one request at
a time per district (a row lock on the district). While a run of the year is queued or
running, asking again answers that run instead of making another (a partial unique
constraint holds it in the database too). The queue's consumer (tasks.assessment_run_task)
claims the run by compare-and-swap (queued → running), scores it in memory with a heartbeat
(its progress), and writes every result together with `done` in one transaction, only if
the run is still its own claim; a failure leaves `failed` with its message. Running the job
again changes nothing. A consumer that dies leaves a `running` run whose heartbeat stops:
`assessments_orphaned` queues it again (the periodic tasks.assessments_requeue_task).

A run copies the rules it uses, so results never change when the rules are edited later.
Before publishing, computing again makes a new version (the older ones stay, for
comparison); publishing freezes the latest computed version, and then no run of that
district and year can be computed or changed again (a database constraint holds one
published run a year).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.assessment.access import district_editor, editor_root, require_editor
from gridgov.assessment.indicators import computing
from gridgov.assessment.models import Assessment
from gridgov.assessment.scoring import (
    area_results,
    department_results,
    period_of,
    rules_snapshot,
)
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied

logger = logging.getLogger("gridgov.tasks")
IN_FLIGHT = (Assessment.State.QUEUED, Assessment.State.RUNNING)
# A running job's heartbeat moves after each street (seconds); this long without one, its
# consumer is taken for dead and the run is queued again.
STALE = dt.timedelta(minutes=10)
# A queued run this old should have been started by its own task (lost with the queue down).
WAITING = dt.timedelta(seconds=30)


def _published(year: int) -> Conflict:
    return Conflict(
        _("The assessment of %(year)d is published: it does not change.") % {"year": year},
        code="published",
        field="year",
    )


def assessment_request(
    *, user: User, root_code: str | None, year: int, now: dt.datetime | None = None
) -> Assessment:
    """Queue a new draft version of the district's assessment for the year, or answer the
    one of that year already queued or running. Refused once the year is published (it is
    frozen) or when no zone has streets and indicators. The run's period ends now (for the
    current year) and its rules are those of now, whenever the consumer computes it."""
    root = editor_root(user, root_code)
    now = now or timezone.now()
    since, until = period_of(year, now)
    rules = rules_snapshot(root)
    if not any(z["streets"] and z["indicators"] for z in rules["zones"]):
        raise DomainError(
            _("Set up a zone with streets and indicators first."), code="no_rules", field="year"
        )
    try:
        with transaction.atomic():
            # One at a time per district: the version number and "not yet published" hold.
            Area.objects.select_for_update().filter(pk=root.pk).first()
            runs = Assessment.objects.filter(root=root, year=year)
            if runs.filter(status=Assessment.Status.PUBLISHED).exists():
                raise _published(year)
            running = runs.filter(state__in=IN_FLIGHT).first()
            if running is not None:
                if running.state == Assessment.State.QUEUED:
                    _enqueue(running.pk)  # its task may have been lost; the claim is a CAS
                return running
            version = (runs.aggregate(last=Max("version"))["last"] or 0) + 1
            run = Assessment.objects.create(
                root=root,
                year=year,
                version=version,
                since=since,
                until=until,
                rules=rules,
                computed_at=now,
                computed_by=user if user.pk else None,
                state=Assessment.State.QUEUED,
                progress=0.0,
            )
            _enqueue(run.pk)
    except IntegrityError:
        # Another request of the same year got in between (a database without row locks):
        # its run is the one.
        running = Assessment.objects.filter(root=root, year=year, state__in=IN_FLIGHT).first()
        if running is None:
            raise Conflict(_("Someone computed this year at the same time; try again.")) from None
        return running
    return run


def _enqueue(assessment_id: int) -> None:
    from gridgov.assessment.tasks import assessment_run_task  # tasks import this module

    # After the commit, so the consumer finds the row; robust: with the queue down the request
    # still succeeds and the periodic task (tasks.assessments_requeue_task) starts it later.
    transaction.on_commit(lambda: assessment_run_task(assessment_id), robust=True)


def assessment_run(*, assessment_id: int) -> bool:
    """Score one queued run and write its results; False if it is not queued (another
    consumer's, done, failed) or was taken over while this consumer computed it."""
    claimed = Assessment.objects.filter(pk=assessment_id, state=Assessment.State.QUEUED).update(
        state=Assessment.State.RUNNING,
        progress=0.0,
        attempt=F("attempt") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    run = Assessment.objects.select_related("root").get(pk=assessment_id)
    mine = Assessment.objects.filter(pk=run.pk, state=Assessment.State.RUNNING, attempt=run.attempt)

    def heartbeat(share: float) -> None:
        mine.update(progress=round(0.9 * share, 3), updated_at=timezone.now())

    try:
        with computing(run.root):
            results = [
                *area_results(run, run.rules, heartbeat),
                *department_results(run, run.rules),
            ]
        with transaction.atomic():
            finished = timezone.now()
            if not mine.update(
                state=Assessment.State.DONE, progress=1.0, finished_at=finished, updated_at=finished
            ):
                return False  # taken over after its heartbeat stopped: the other one writes
            for result in results:
                result.save()  # one by one: each result leaves its audit row
    except Exception as error:  # noqa: BLE001 (the row records any failure for the editor)
        mine.update(
            state=Assessment.State.FAILED,
            error=(str(error) or type(error).__name__)[:300],
            finished_at=timezone.now(),
        )
        logger.exception("assessment %s failed", assessment_id)
        raise
    logger.info("assessment %s computed", assessment_id)
    return True


def assessment_compute(
    *, user: User, root_code: str | None, year: int, now: dt.datetime | None = None
) -> Assessment:
    """Request a run and compute it here and now (the demo's build and a test's setup; the
    pages and the API queue it). The same checks and the same job as the queue's."""
    run = assessment_request(user=user, root_code=root_code, year=year, now=now)
    assessment_run(assessment_id=run.pk)
    run.refresh_from_db()
    return run


def assessments_orphaned(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again the running runs whose heartbeat stopped (their consumer died), and return
    every queued one old enough that its own task should have started it."""
    now = now or timezone.now()
    requeued: list[int] = []
    for run_id, updated_at in Assessment.objects.filter(
        state=Assessment.State.RUNNING, updated_at__lt=now - STALE
    ).values_list("pk", "updated_at"):
        # Compare-and-swap on the heartbeat: a job that moved meanwhile keeps running.
        if Assessment.objects.filter(
            pk=run_id, state=Assessment.State.RUNNING, updated_at=updated_at
        ).update(state=Assessment.State.QUEUED, updated_at=now):
            logger.warning("assessment %s stopped without finishing: queued again", run_id)
            requeued.append(run_id)
    waiting = Assessment.objects.filter(
        state=Assessment.State.QUEUED, updated_at__lte=now - WAITING
    )
    return sorted({*requeued, *waiting.order_by("pk").values_list("pk", flat=True)[:50]})


def assessment_publish(
    *, user: User, assessment_id: int, now: dt.datetime | None = None
) -> Assessment:
    """Publish (公示) a computed draft: the latest version of its year (failed ones aside)
    only; from then on frozen."""
    if not district_editor(user):
        raise PermissionDenied()
    run = Assessment.objects.select_related("root").filter(pk=assessment_id).first()
    if run is None:
        raise NotFound()
    require_editor(user, run.root)
    try:
        with transaction.atomic():
            # The district's lock, as a request takes it: no version is queued meanwhile.
            Area.objects.select_for_update().filter(pk=run.root_id).first()
            run = Assessment.objects.select_for_update().get(pk=run.pk)
            if run.status == Assessment.Status.PUBLISHED:
                raise Conflict(_("Already published."), code="published")
            if run.state != Assessment.State.DONE:
                raise Conflict(
                    _("This version is not computed: publish a computed one."),
                    code="not_computed",
                )
            # A failed version is no result: the latest computed one is publishable.
            newer = Assessment.objects.filter(
                root_id=run.root_id, year=run.year, version__gt=run.version
            ).exclude(state=Assessment.State.FAILED)
            if newer.exists():
                raise Conflict(_("A newer version exists: publish the latest."), code="not_latest")
            run.status = Assessment.Status.PUBLISHED
            run.published_at = now or timezone.now()
            run.published_by = user if user.pk else None
            run.save(update_fields=["status", "published_at", "published_by"])
    except IntegrityError:
        raise Conflict(_("This year is already published."), code="published") from None
    return run
