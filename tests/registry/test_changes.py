"""Changes of a household and its people (registry.changes): each kind does what a
community worker means by it, writes one history row, and a refused change changes nothing."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from gridgov.accounts.models import PiiAccess
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.registry.changes import household_change_record
from gridgov.registry.models import Household, HouseholdChange, Resident
from gridgov.registry.selectors_changes import household_history, resident_history
from tests.registry.factories import id_number

TODAY = dt.date(2026, 5, 20)


def _household(point, number: str, address: str, area_code: str | None = None) -> Household:
    from gridgov.areas.models import Area
    from tests.conftest import WENHUI_GRID

    return Household.objects.create(
        number=number,
        area=Area.objects.get(code=area_code or WENHUI_GRID),
        lon=point[0],
        lat=point[1],
        address=address,
    )


def _resident(household: Household, name: str, relation: str = "", **extra) -> Resident:
    number = id_number()
    return Resident.objects.create(
        household=household,
        area=household.area,
        lon=household.lon,
        lat=household.lat,
        address=household.address,
        name=name,
        id_number=number,
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        gender="M",
        residence="registered",
        relation=relation,
        **extra,
    )


@pytest.fixture
def home(wenhui_point) -> Household:
    """玉泉小区3栋201室: 张三 (head), his wife 李梅."""
    household = _household(wenhui_point, "H-A", "丽江市古城区文汇社区玉泉小区3栋201室")
    head = _resident(household, "张三", "户主", phone="13908881234")
    _resident(household, "李梅", "配偶")
    household.head = head
    household.save()
    return household


@pytest.fixture
def neighbour(wenhui_point) -> Household:
    household = _household(wenhui_point, "H-B", "丽江市古城区文汇社区玉泉小区3栋202室")
    household.head = _resident(household, "王五", "户主")
    household.save()
    return household


@pytest.fixture
def far_home(jinjia_point) -> Household:
    from gridgov.areas.models import Area
    from tests.conftest import JINJIA

    grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    household = _household(jinjia_point, "H-J", "丽江市古城区金甲社区金甲路9号", grid.code)
    household.head = _resident(household, "赵六", "户主")
    household.save()
    return household


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def member(household: Household, name: str) -> Resident:
    return household.residents.get(name=name)


def state(household: Household) -> tuple:
    """What a refused change must leave as it was."""
    household.refresh_from_db()
    people = sorted(
        Resident.objects.filter(household=household).values_list(
            "name", "status", "phone", "relation"
        )
    )
    return (
        household.head_id,
        household.occupancy,
        people,
        Resident.objects.count(),
        HouseholdChange.objects.count(),
    )


def person(name="木小花", **extra) -> dict:
    return {"name": name, "id_number": id_number(), **extra}


# Each kind -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_new_resident_takes_the_households_place(community_staff, home):
    change, created = household_change_record(
        user=community_staff,
        household_id=home.pk,
        kind="registered",
        person=person(phone="139 0888 5555", relation="女儿"),
        note="新登记",
    )
    new = change.resident
    assert created
    assert (new.household, new.area, new.address, new.lon, new.lat) == (
        home,
        home.area,
        home.address,
        home.lon,
        home.lat,
    )
    assert (new.phone, new.relation, new.status, new.residence) == (
        "13908885555",
        "女儿",
        "living",
        "registered",
    )
    assert (change.kind, change.happened_on, change.recorded_by, change.area) == (
        "registered",
        TODAY,
        community_staff,
        home.area,
    )


@pytest.mark.django_db
def test_moving_out_clears_the_head_and_keeps_the_person_in_the_history(grid_worker, home):
    zhang = member(home, "张三")
    change, _ = household_change_record(
        user=grid_worker,
        household_id=home.pk,
        kind="moved_out",
        resident_id=zhang.pk,
        other_place="昆明市",
        happened_on=dt.date(2026, 5, 1),
    )
    zhang.refresh_from_db()
    home.refresh_from_db()
    assert (zhang.status, zhang.household) == ("moved_out", home)
    assert home.head is None
    assert (change.other_place, change.happened_on) == ("昆明市", dt.date(2026, 5, 1))
    history = household_history(user=grid_worker, household_id=home.pk)
    assert [(h["kind"], h["resident_name"]) for h in history] == [("moved_out", "张三")]


@pytest.mark.django_db
def test_moving_in_from_a_household_nearby_records_both_sides(community_staff, home, neighbour):
    wang = member(neighbour, "王五")
    change, _ = household_change_record(
        user=community_staff, household_id=home.pk, kind="moved_in", resident_id=wang.pk
    )
    wang.refresh_from_db()
    neighbour.refresh_from_db()
    assert (wang.household, wang.address, wang.status) == (home, home.address, "living")
    assert neighbour.head is None
    assert (change.kind, change.other_household) == ("moved_in", neighbour)
    left = HouseholdChange.objects.get(household=neighbour)
    assert (left.kind, left.resident, left.other_household) == ("moved_out", wang, home)
    assert [h["kind"] for h in resident_history(user=community_staff, resident_id=wang.pk)] == [
        "moved_in",
        "moved_out",
    ]


@pytest.mark.django_db
def test_moving_out_to_a_household_nearby_is_the_same_move(community_staff, home, neighbour):
    li = member(home, "李梅")
    change, _ = household_change_record(
        user=community_staff,
        household_id=home.pk,
        kind="moved_out",
        resident_id=li.pk,
        other_household_id=neighbour.pk,
    )
    li.refresh_from_db()
    assert (li.household, li.status) == (neighbour, "living")
    assert (change.kind, change.household, change.other_household) == ("moved_out", home, neighbour)
    arrived = HouseholdChange.objects.get(household=neighbour)
    assert (arrived.kind, arrived.other_household) == ("moved_in", home)


@pytest.mark.django_db
def test_a_person_from_elsewhere_moves_in_as_a_floating_resident(grid_worker, home):
    change, _ = household_change_record(
        user=grid_worker,
        household_id=home.pk,
        kind="moved_in",
        person=person("和小军"),
        other_place="大理市",
    )
    assert (change.resident.residence, change.other_place, change.resident.household) == (
        "floating",
        "大理市",
        home,
    )


@pytest.mark.django_db
def test_someone_who_moved_out_earlier_can_move_back(community_staff, home):
    li = member(home, "李梅")
    household_change_record(
        user=community_staff, household_id=home.pk, kind="moved_out", resident_id=li.pk
    )
    household_change_record(
        user=community_staff, household_id=home.pk, kind="moved_in", resident_id=li.pk
    )
    li.refresh_from_db()
    assert li.status == "living"
    assert HouseholdChange.objects.filter(household=home).count() == 2


@pytest.mark.django_db
def test_a_birth_takes_its_date_from_the_id_number(community_staff, home):
    baby = person("张小宝")
    born = dt.date(
        int(baby["id_number"][6:10]), int(baby["id_number"][10:12]), int(baby["id_number"][12:14])
    )
    change, _ = household_change_record(
        user=community_staff, household_id=home.pk, kind="born", person=baby
    )
    assert (change.happened_on, change.resident.relation, change.resident.birth_date) == (
        born,
        "子女",
        born,
    )


@pytest.mark.django_db
def test_a_birth_on_another_day_than_the_id_says_is_refused(community_staff, home):
    before = state(home)
    baby = person("张小宝")
    with pytest.raises(DomainError) as error:
        household_change_record(
            user=community_staff,
            household_id=home.pk,
            kind="born",
            person=baby,
            happened_on=dt.date(2026, 1, 2),
        )
    assert error.value.field == "happened_on"
    assert state(home) == before


@pytest.mark.django_db
def test_a_death_clears_the_head(community_staff, home):
    zhang = member(home, "张三")
    household_change_record(
        user=community_staff, household_id=home.pk, kind="died", resident_id=zhang.pk
    )
    zhang.refresh_from_db()
    home.refresh_from_db()
    assert (zhang.status, home.head) == ("deceased", None)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["rented", "vacant"])
def test_occupancy_changes(grid_worker, home, kind):
    household_change_record(user=grid_worker, household_id=home.pk, kind=kind, note="出租给外地人")
    home.refresh_from_db()
    assert home.occupancy == kind
    assert household_history(user=grid_worker, household_id=home.pk)[0]["note"] == "出租给外地人"


@pytest.mark.django_db
def test_the_same_occupancy_twice_is_refused(grid_worker, home):
    before = state(home)
    with pytest.raises(DomainError) as error:
        household_change_record(user=grid_worker, household_id=home.pk, kind="owner")
    assert error.value.code == "unchanged"
    assert state(home) == before


@pytest.mark.django_db
def test_a_new_head_of_household(grid_worker, home):
    li = member(home, "李梅")
    household_change_record(user=grid_worker, household_id=home.pk, kind="head", resident_id=li.pk)
    home.refresh_from_db()
    assert home.head == li


@pytest.mark.django_db
def test_a_correction_says_which_fields_changed_never_the_values(community_staff, home):
    li = member(home, "李梅")
    change, _ = household_change_record(
        user=community_staff,
        household_id=home.pk,
        kind="corrected",
        resident_id=li.pk,
        person={"name": "李梅", "phone": "13987654321", "relation": "妻"},
        note="电话有误",
    )
    li.refresh_from_db()
    assert (li.phone, li.relation) == ("13987654321", "妻")
    assert "13987654321" not in change.note
    assert "妻" not in change.note
    assert change.note.startswith("电话有误 (")
    assert "phone" in change.note or "电话" in change.note or "手机" in change.note


# Refused: nothing changes ---------------------------------------------------------------
BAD = [
    ("kind", {"kind": "teleported"}),
    ("happened_on", {"kind": "vacant", "happened_on": dt.date(2026, 5, 21)}),
    (
        "person.id_number",
        {"kind": "registered", "person": {"name": "甲", "id_number": "530702199001011235"}},
    ),
    (
        "person.phone",
        {
            "kind": "registered",
            "person": {"name": "甲", "id_number": id_number(), "phone": "12345"},
        },
    ),
    ("person.name", {"kind": "registered", "person": {"name": " ", "id_number": "x"}}),
    (
        "person.residence",
        {
            "kind": "registered",
            "person": {"name": "甲", "id_number": id_number(), "residence": "tourist"},
        },
    ),
    ("person.height", {"kind": "registered", "person": {"name": "甲", "height": 180}}),
    ("resident_id", {"kind": "died"}),
    ("person", {"kind": "vacant", "person": {"name": "甲"}}),
    ("resident_id", {"kind": "moved_in"}),
    ("other_household_id", {"kind": "vacant", "other_household_id": 1}),
    ("note", {"kind": "vacant", "note": "长" * 301}),
    ("resident_id", {"kind": "died", "resident_id": "abc"}),
    ("client_uuid", {"kind": "vacant", "client_uuid": "not-a-uuid"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "args"), BAD, ids=[f"{f}-{i}" for i, (f, _a) in enumerate(BAD)])
def test_bad_input_is_refused_with_its_field(community_staff, home, field, args):
    before = state(home)
    with pytest.raises(DomainError) as error:
        household_change_record(user=community_staff, household_id=home.pk, **args)
    assert error.value.status == 400
    assert error.value.field == field
    assert state(home) == before


@pytest.mark.django_db
def test_an_id_number_already_registered_is_a_conflict(community_staff, home, far_home):
    taken = member(far_home, "赵六").id_number
    before = state(home)
    with pytest.raises(Conflict) as error:
        household_change_record(
            user=community_staff,
            household_id=home.pk,
            kind="registered",
            person={"name": "赵六", "id_number": taken.lower()},
        )
    assert error.value.code == "duplicate"  # "already registered", in the reader's language
    assert state(home) == before


@pytest.mark.django_db
def test_a_resident_of_another_household_cannot_die_here(community_staff, home, neighbour):
    before = state(home)
    with pytest.raises(DomainError) as error:
        household_change_record(
            user=community_staff,
            household_id=home.pk,
            kind="died",
            resident_id=member(neighbour, "王五").pk,
        )
    assert error.value.field == "resident_id"
    assert state(home) == before


@pytest.mark.django_db
def test_the_dead_do_not_die_twice_nor_move_in(community_staff, home, neighbour):
    zhang = member(home, "张三")
    household_change_record(
        user=community_staff, household_id=home.pk, kind="died", resident_id=zhang.pk
    )
    for household, kind in ((home, "died"), (neighbour, "moved_in")):
        with pytest.raises(DomainError):
            household_change_record(
                user=community_staff, household_id=household.pk, kind=kind, resident_id=zhang.pk
            )
    assert HouseholdChange.objects.count() == 1


# Who may ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_staff_of_another_community_find_no_household(other_community_staff, home):
    before = state(home)
    with pytest.raises(NotFound):
        household_change_record(user=other_community_staff, household_id=home.pk, kind="vacant")
    with pytest.raises(NotFound):
        household_history(user=other_community_staff, household_id=home.pk)
    assert state(home) == before


@pytest.mark.django_db
def test_nobody_moves_in_a_resident_from_outside_their_area(community_staff, home, far_home):
    before = state(home)
    with pytest.raises(NotFound) as error:
        household_change_record(
            user=community_staff,
            household_id=home.pk,
            kind="moved_in",
            resident_id=member(far_home, "赵六").pk,
        )
    assert error.value.field == "resident_id"
    assert state(home) == before


@pytest.mark.django_db
def test_roles_without_registry_edit_record_nothing(operator, party_secretary, resident, home):
    before = state(home)
    for user in (operator, party_secretary, resident):
        with pytest.raises(PermissionDenied):
            household_change_record(user=user, household_id=home.pk, kind="vacant")
    assert state(home) == before
    # The operator reads the registry, and so its history.
    assert household_history(user=operator, household_id=home.pk) == []


# Resent from a phone ---------------------------------------------------------------------
@pytest.mark.django_db
def test_the_same_change_sent_twice_is_stored_once(grid_worker, home):
    sent = uuid.uuid4()
    args = {"household_id": home.pk, "kind": "registered", "person": person(), "client_uuid": sent}
    first, created = household_change_record(user=grid_worker, **args)
    again, created_again = household_change_record(
        user=grid_worker, **args | {"client_uuid": str(sent)}
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Resident.objects.filter(household=home).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("other", ["user", "household", "kind"])
def test_a_uuid_used_for_another_change_is_taken(
    grid_worker, community_staff, home, neighbour, other
):
    sent = uuid.uuid4()
    household_change_record(user=grid_worker, household_id=home.pk, kind="rented", client_uuid=sent)
    args = {"user": grid_worker, "household_id": home.pk, "kind": "rented", "client_uuid": sent}
    args |= {
        "user": {"user": community_staff},
        "household": {"household_id": neighbour.pk},
        "kind": {"kind": "vacant"},
    }[other]
    before = (state(home), state(neighbour))
    with pytest.raises(Conflict) as error:
        household_change_record(**args)
    assert error.value.code == "client_uuid_taken"
    assert (state(home), state(neighbour)) == before


# The history -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_history_masks_the_other_household_unless_revealed(community_staff, home, neighbour):
    wang = member(neighbour, "王五")
    household_change_record(
        user=community_staff, household_id=home.pk, kind="moved_in", resident_id=wang.pk
    )
    [row] = household_history(user=community_staff, household_id=home.pk)
    assert row["other_household_title"].startswith("丽江市古城区***")
    assert "202" not in row["other_household_title"]
    assert row["recorded_by"] == community_staff.username
    assert PiiAccess.objects.count() == 0
    [row] = household_history(
        user=community_staff, household_id=home.pk, reveal=True, ip="10.1.1.1"
    )
    assert "玉泉小区3栋202室" in row["other_household_title"]
    audit = PiiAccess.objects.get()
    assert (audit.user, audit.object_ids, audit.ip) == (community_staff, [row["id"]], "10.1.1.1")


@pytest.mark.django_db
def test_a_role_without_pii_view_cannot_reveal_the_history(operator, home):
    with pytest.raises(PermissionDenied):
        household_history(user=operator, household_id=home.pk, reveal=True)
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_a_resend_racing_the_first_is_stored_once(grid_worker, home, monkeypatch):
    """Two requests with one uuid: the second passed the look-up before the first was saved,
    and meets the unique key instead."""
    from gridgov.registry import changes

    sent = uuid.uuid4()
    first, _ = household_change_record(
        user=grid_worker, household_id=home.pk, kind="rented", client_uuid=sent
    )
    looked_up = changes._resent
    calls = []

    def late(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else looked_up(**kwargs)

    monkeypatch.setattr(changes, "_resent", late)
    home.occupancy = "owner"
    home.save()
    again, created = household_change_record(
        user=grid_worker, household_id=home.pk, kind="rented", client_uuid=sent
    )
    assert (again.pk, created, len(calls)) == (first.pk, False, 2)
    assert HouseholdChange.objects.count() == 1


@pytest.mark.django_db
def test_the_history_reads_in_a_fixed_number_of_queries(
    community_staff, home, neighbour, django_assert_num_queries
):
    for kind in ("rented", "vacant", "owner"):
        household_change_record(user=community_staff, household_id=home.pk, kind=kind)
    wang = member(neighbour, "王五")
    household_change_record(
        user=community_staff, household_id=home.pk, kind="moved_in", resident_id=wang.pk
    )
    with django_assert_num_queries(2):  # the household in scope, its changes with names
        rows = household_history(user=community_staff, household_id=home.pk)
    assert [r["kind"] for r in rows] == ["moved_in", "owner", "vacant", "rented"]


@pytest.mark.django_db
def test_a_household_that_is_not_an_id_or_not_there(community_staff, home):
    with pytest.raises(DomainError) as error:
        household_change_record(user=community_staff, household_id="H-A", kind="vacant")
    assert (error.value.status, error.value.field) == (400, "household_id")
    with pytest.raises(NotFound):
        household_change_record(user=community_staff, household_id=home.pk + 1000, kind="vacant")
    assert HouseholdChange.objects.count() == 0


@pytest.mark.django_db
def test_an_id_number_is_not_corrected_and_nothing_unchanged_is(community_staff, home):
    li = member(home, "李梅")
    before = state(home)
    for changed, field in (
        ({"id_number": id_number()}, "person.id_number"),
        ({"name": "李梅"}, "person"),
    ):
        with pytest.raises(DomainError) as error:
            household_change_record(
                user=community_staff,
                household_id=home.pk,
                kind="corrected",
                resident_id=li.pk,
                person=changed,
            )
        assert error.value.field == field
    assert state(home) == before


@pytest.mark.django_db
def test_a_persons_history_stays_in_the_readers_area(community_staff, other_community_staff, home):
    li = member(home, "李梅")
    household_change_record(
        user=community_staff, household_id=home.pk, kind="died", resident_id=li.pk
    )
    assert [h["kind"] for h in resident_history(user=community_staff, resident_id=li.pk)] == [
        "died"
    ]
    with pytest.raises(NotFound):
        resident_history(user=other_community_staff, resident_id=li.pk)
