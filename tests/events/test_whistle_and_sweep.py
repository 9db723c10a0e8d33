import datetime as dt

import pytest
from django.utils import timezone

from gridgov.areas.models import Area, Department
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.events.models import Event, Whistle
from gridgov.events.services import deadlines_sweep, event_act, event_report
from gridgov.events.services.whistles import summons_check_in, summons_report, whistle_blow
from tests.events.conftest import report_data


@pytest.fixture
def filed_event(operator, reporter, wenhui_point) -> Event:
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    return event_act(user=operator, event_id=event.pk, action="accept")


@pytest.mark.django_db
def test_community_whistles_and_street_departments_check_in_and_report(
    community_staff, squad_handler, street_squad, filed_event
):
    police = Department.objects.get(name="西安街道派出所")
    whistle = whistle_blow(
        user=community_staff,
        event_id=filed_event.pk,
        level="community",
        department_ids=[street_squad.pk, police.pk],
        reason="占道经营屡劝不改",
    )
    summonses = {s.department_id: s for s in whistle.summonses.all()}
    assert set(summonses) == {street_squad.pk, police.pk}
    with pytest.raises(Conflict):
        summons_report(
            user=squad_handler, summons_id=summonses[street_squad.pk].pk, report="先报告"
        )  # not checked in
    checked = summons_check_in(user=squad_handler, summons_id=summonses[street_squad.pk].pk)
    assert checked.checked_in_at <= checked.check_in_due_at
    with pytest.raises(Conflict):
        summons_check_in(user=squad_handler, summons_id=checked.pk)
    with pytest.raises(NotFound):
        summons_check_in(
            user=squad_handler, summons_id=summonses[police.pk].pk
        )  # not their department
    summons_report(user=squad_handler, summons_id=checked.pk, report="已联合执法取缔")
    actions = list(filed_event.timeline.values_list("action", flat=True))
    assert actions[-3:] == ["whistle", "check_in", "report_back"]
    police_summons = whistle.summonses.get(department=police)
    assert police_summons.checked_in_at is None  # who has not reported is visible


@pytest.mark.django_db
def test_a_late_check_in_is_marked_late(community_staff, squad_handler, street_squad, filed_event):
    whistle = whistle_blow(
        user=community_staff,
        event_id=filed_event.pk,
        level="community",
        department_ids=[street_squad.pk],
        reason="x",
    )
    summons = whistle.summonses.get()
    type(summons).objects.filter(pk=summons.pk).update(
        check_in_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    summons_check_in(user=squad_handler, summons_id=summons.pk)
    assert filed_event.timeline.get(action="check_in").data["late"] is True


@pytest.mark.django_db
def test_street_whistles_to_district_and_district_to_city(
    street_staff, operator, district_bureau, street_squad, filed_event
):
    with pytest.raises(DomainError):  # a street cannot summon its own street's departments
        whistle_blow(
            user=street_staff,
            event_id=filed_event.pk,
            level="street",
            department_ids=[street_squad.pk],
            reason="x",
        )
    whistle = whistle_blow(
        user=street_staff,
        event_id=filed_event.pk,
        level="street",
        department_ids=[district_bureau.pk],
        reason="需区级执法",
    )
    assert whistle.level == Whistle.Level.STREET
    city = Area.objects.create(code="5307", name="丽江市", kind="city", path="/5307/", depth=0)
    Area.objects.filter(code="530702").update(
        parent=city
    )  # paths are rewritten by import in real use
    for area in Area.objects.filter(path__startswith="/530702/"):
        Area.objects.filter(pk=area.pk).update(path="/5307" + area.path, depth=area.depth + 1)
    city_bureau = Department.objects.create(name="丽江市城市管理局", area=city)
    operator.refresh_from_db()
    whistle = whistle_blow(
        user=operator,
        event_id=filed_event.pk,
        level="district",
        department_ids=[city_bureau.pk],
        reason="跨区协调",
    )
    assert whistle.summonses.get().department == city_bureau


@pytest.mark.django_db
def test_only_the_whistling_level_may_whistle(
    grid_worker, community_staff, street_squad, reporter, wenhui_point, filed_event
):
    with pytest.raises(PermissionDenied):
        whistle_blow(
            user=grid_worker,
            event_id=filed_event.pk,
            level="community",
            department_ids=[street_squad.pk],
            reason="x",
        )
    fresh = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    with pytest.raises(Conflict):  # not filed yet
        whistle_blow(
            user=community_staff,
            event_id=fresh.pk,
            level="community",
            department_ids=[street_squad.pk],
            reason="x",
        )
    assert not Whistle.objects.exists()


@pytest.mark.django_db
def test_the_sweep_notifies_once(filed_event):
    started = filed_event.stage_started_at
    Event.objects.filter(pk=filed_event.pk).update(stage_due_at=started + dt.timedelta(minutes=10))
    later = started + dt.timedelta(days=3)
    assert deadlines_sweep(now=later) == [(filed_event.pk, "red")]
    assert deadlines_sweep(now=later) == []
    assert filed_event.timeline.filter(action="deadline_red").count() == 1


@pytest.mark.django_db
def test_the_periodic_task_sweeps(filed_event):
    from gridgov.events.tasks import deadlines_sweep_task

    Event.objects.filter(pk=filed_event.pk).update(
        stage_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert deadlines_sweep_task.call_local() == 1
    assert deadlines_sweep_task.call_local() == 0
    assert filed_event.timeline.filter(action__startswith="deadline_").count() == 1


@pytest.mark.django_db
def test_whistle_lateness_is_counted_per_department(
    community_staff, squad_handler, street_squad, filed_event
):
    from gridgov.events.rates import whistle_counts

    police = Department.objects.get(name="西安街道派出所")
    whistle = whistle_blow(
        user=community_staff,
        event_id=filed_event.pk,
        level="community",
        department_ids=[street_squad.pk, police.pk],
        reason="x",
    )
    whistle.summonses.update(check_in_due_at=timezone.now() - dt.timedelta(minutes=5))
    summons_check_in(
        user=squad_handler, summons_id=whistle.summonses.get(department=street_squad).pk
    )
    counts = whistle_counts(Event.objects.all())
    # Each of the three deadlines is counted: the action and the report-back are not due yet.
    not_yet = {"not_acted_yet": 1, "not_reported_back_yet": 1}
    assert counts["西安街道综合执法中队"] == {"summoned": 1, "checked_in_late": 1, **not_yet}
    assert counts["西安街道派出所"] == {"summoned": 1, "not_checked_in_overdue": 1, **not_yet}
    # Acting and reporting after their deadlines are counted late.
    late = whistle.summonses.get(department=street_squad)
    late.action_due_at = late.report_due_at = timezone.now() - dt.timedelta(minutes=1)
    late.action_at = late.reported_at = timezone.now()
    late.save()
    counts = whistle_counts(Event.objects.all())
    assert counts["西安街道综合执法中队"] == {
        "summoned": 1,
        "checked_in_late": 1,
        "acted_late": 1,
        "reported_back_late": 1,
    }
