"""`gridgov demo_residents`: the registry at a city's volume is plausible — whole households
in the demo city's grids, headed by a living member, with valid unique ID numbers, a history
for each person who came or left, and special groups as care tags with visits due — and a
second run continues where the first stopped."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from gridgov.care.models import ResidentTag
from gridgov.demo.management.commands.demo_residents import residents_generate
from gridgov.registry.models import Building, Household, HouseholdChange, Resident
from gridgov.registry.pii import id_number_clean


@pytest.mark.django_db
def test_generated_households_are_whole_placed_and_headed():
    written = residents_generate(count=600, seed=3)
    assert 600 <= written < 605  # whole households: never fewer, at most one household more
    people = Resident.objects.filter(is_generated=True)
    assert people.count() == written
    households = Household.objects.filter(is_generated=True).select_related("area", "head")
    assert households.count() >= 600 / 5
    for household in households:
        assert len(household.number) == 21
        assert household.number.startswith(household.area.code)
        assert household.address.startswith("丽江市古城区")
        if household.head is not None:
            assert household.head.household_id == household.pk
            assert household.head.status == "living"
            assert household.head.relation == "户主"
    vacant = households.filter(occupancy="vacant")
    assert not Resident.objects.filter(household__in=vacant, status="living").exists()
    # Flats are in buildings of a compound of the same grid, where the building stands.
    flat = households.filter(building__isnull=False).select_related("building__compound").first()
    assert flat.building.compound.area_id == flat.area_id == flat.building.area_id
    assert (flat.lon, flat.lat) == (flat.building.lon, flat.building.lat)
    assert flat.address.startswith(flat.building.address)
    for person in people.select_related("household")[:200]:
        assert id_number_clean(person.id_number) == person.id_number
        assert person.area_id == person.household.area_id
        assert person.address == person.household.address
    assert people.exclude(phone="").filter(phone_tail__regex=r"^\d{4}$").exists()


@pytest.mark.django_db
def test_everyone_who_came_or_left_has_a_history():
    residents_generate(count=3000, seed=4)
    people = Resident.objects.filter(is_generated=True)
    registered = HouseholdChange.objects.filter(kind="registered", resident__in=people)
    assert registered.count() == people.count()
    for status, kind in (("moved_out", "moved_out"), ("deceased", "died")):
        gone = people.filter(status=status)
        assert gone.exists()
        assert HouseholdChange.objects.filter(kind=kind, resident__in=gone).count() == gone.count()
    rented = Household.objects.filter(is_generated=True, occupancy="rented")
    assert HouseholdChange.objects.filter(kind="rented", household__in=rented).count() == (
        rented.count()
    )


@pytest.mark.django_db
def test_special_groups_are_tags_with_visits_due_some_overdue():
    residents_generate(count=5000, seed=5)
    tags = ResidentTag.objects.filter(resident__is_generated=True).select_related("tag", "resident")
    keys = set(tags.values_list("tag__key", flat=True))
    assert {"elderly_alone", "disabled", "low_income"} <= keys
    for row in tags.filter(tag__key="elderly_alone"):
        assert row.resident.household.residents.count() == 1
        assert row.area_id == row.resident.area_id
        assert row.resident.status == "living"
    planned = tags.filter(tag__visit_every_days__isnull=False)
    assert not planned.filter(visit_due__isnull=True).exists()
    from django.utils import timezone

    today = timezone.localdate()
    assert planned.filter(visit_due__lt=today).exists()  # overdue
    assert planned.filter(visit_due__gte=today).exists()  # on time
    for row in tags.filter(tag__key="left_behind_child"):
        assert today.year - row.resident.birth_date.year <= 15
        assert row.details["guardian"]


@pytest.mark.django_db
def test_a_second_run_continues_numbers_and_names():
    residents_generate(count=400, seed=6)
    residents_generate(count=400, seed=6)  # the same seed again: still no duplicate
    numbers = Household.objects.values("number").annotate(n=Count("id")).filter(n__gt=1)
    assert not numbers.exists()
    compounds = Building.objects.filter(is_generated=True).values("compound_id").distinct()
    assert compounds.exists()
    assert Resident.objects.filter(is_generated=True).count() >= 800


@pytest.mark.django_db
def test_the_command_says_what_it_added_and_refuses_nonsense():
    out = io.StringIO()
    call_command("demo_residents", "--count", "50", "--seed", "7", stdout=out)
    assert out.getvalue().startswith("Added 5")
    assert "residents in" in out.getvalue()
    with pytest.raises(CommandError, match="--count must be 1 or more"):
        call_command("demo_residents", "--count", "0")
