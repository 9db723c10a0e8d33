"""What the independent review of issue 12 found: a person's groups follow them to their new
grid; a need found visiting someone in a sensitive group becomes an event that says nothing
of care; the worklist's household addresses are read like any other."""

import pytest

from gridgov.accounts.models import PiiAccess
from gridgov.care.models import ResidentTag
from gridgov.care.quality_worklist import quality_worklist
from gridgov.care.visits import visit_event_create, visit_record
from gridgov.common.errors import DomainError
from gridgov.events.models import Event, Subclass
from gridgov.registry.changes import household_change_record
from gridgov.registry.models import Household


@pytest.mark.django_db
def test_a_persons_groups_follow_them_to_another_community(
    district_staff, convict_tagged, jinjia_person
):
    new_home = jinjia_person.household
    household_change_record(
        user=district_staff,
        household_id=new_home.pk,
        kind="moved_in",
        resident_id=convict_tagged.resident_id,
    )
    membership = ResidentTag.objects.get(pk=convict_tagged.pk)
    assert membership.area_id == new_home.area_id
    # The old grid's lists no longer hold them: scoped by the membership's grid.
    assert not ResidentTag.objects.filter(
        area__code__startswith="530702001002", resident_id=convict_tagged.resident_id
    ).exists()


@pytest.mark.django_db
def test_an_edit_that_does_not_move_the_person_leaves_the_groups_alone(convict_tagged):
    resident = convict_tagged.resident
    resident.phone = "13908880000"
    resident.save(update_fields=["phone", "updated_at"])
    assert ResidentTag.objects.get(pk=convict_tagged.pk).area_id == resident.area_id


@pytest.mark.django_db
def test_a_need_in_a_sensitive_group_becomes_an_event_that_says_nothing_of_care(
    grid_worker, convict_tagged
):
    visit, _created = visit_record(
        user=grid_worker,
        resident_id=convict_tagged.resident_id,
        tag="community_correction",
        outcome="needs_help",
        note="门锁坏了",
    )
    with pytest.raises(DomainError) as refused:
        visit_event_create(user=grid_worker, visit_id=visit.pk)
    assert refused.value.field == "subclass"
    assert Event.objects.count() == 0
    kind = Subclass.objects.filter(active=True, photo_required=False).exclude(code="2401")[0]
    event = visit_event_create(
        user=grid_worker, visit_id=visit.pk, subclass=kind.code, description="单元门锁损坏"
    )
    assert event.description == "单元门锁损坏"
    assert event.subclass == kind


@pytest.mark.django_db
def test_an_ordinary_group_keeps_the_one_step(grid_worker, granny_alone):
    visit, _created = visit_record(
        user=grid_worker, resident_id=granny_alone.resident_id, outcome="needs_help", note="漏水"
    )
    event = visit_event_create(user=grid_worker, visit_id=visit.pk)
    assert event.subclass.code == "2401"
    assert "漏水" in event.description


@pytest.mark.django_db
def test_addresses_shown_whole_on_the_worklist_are_recorded(grid_worker, home):
    empty = Household.objects.create(
        number="T-CARE-EMPTY",
        area=home.area,
        lon=home.lon,
        lat=home.lat,
        address="丽江市古城区文汇社区空屋巷5号",
    )
    shown = quality_worklist(user=grid_worker, channel="api")
    titles = [i["title"] for s in shown["sections"] for i in s["items"]]
    assert "丽江市古城区文汇社区空屋巷5号" in titles
    recorded = PiiAccess.objects.filter(user=grid_worker, model="registry.household")
    assert any(empty.pk in row.object_ids and row.fields == ["address"] for row in recorded)


@pytest.mark.django_db
def test_masked_worklists_record_nothing(operator, home):
    Household.objects.create(
        number="T-CARE-EMPTY", area=home.area, lon=home.lon, lat=home.lat, address="空屋巷5号"
    )
    quality_worklist(user=operator, area_code=home.area.code, channel="api")
    assert not PiiAccess.objects.filter(user=operator).exists()


@pytest.mark.django_db
def test_a_group_cannot_begin_before_1900(grid_worker, granny):
    import datetime as dt

    from gridgov.care.services import resident_tag_add

    with pytest.raises(DomainError) as refused:
        resident_tag_add(
            user=grid_worker, resident_id=granny.pk, tag="veteran", since=dt.date(1800, 1, 1)
        )
    assert refused.value.field == "since"
    assert not ResidentTag.objects.filter(resident=granny).exists()
