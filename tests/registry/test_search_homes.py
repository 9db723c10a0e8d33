# ruff: noqa: F401, F811 - pytest fixtures shared with test_changes
"""The homes search box (registry.search.homes_search): what each role finds by name,
compound, address, phone and ID, and that personal data is only ever a search key for a
role that may see it — recorded when it is."""

import pytest

from gridgov.accounts.models import PiiAccess
from gridgov.common.errors import DomainError, NotFound, PermissionDenied
from gridgov.registry import extensions
from gridgov.registry.models import Building, Compound, Household, Resident
from gridgov.registry.search import homes_search
from tests.conftest import WENHUI, WENHUI_GRID
from tests.registry.test_changes import _household, _resident, far_home


@pytest.fixture
def yuquan(wenhui_point) -> Household:
    """玉泉小区 3栋 201室: 张三丰 (head, phone …1234), 李梅."""
    from gridgov.areas.models import Area

    grid = Area.objects.get(code=WENHUI_GRID)
    compound = Compound.objects.create(
        name="玉泉小区",
        property_status="managed",
        area=grid,
        lon=wenhui_point[0],
        lat=wenhui_point[1],
    )
    building = Building.objects.create(
        compound=compound, name="3栋", area=grid, lon=wenhui_point[0], lat=wenhui_point[1]
    )
    household = _household(wenhui_point, "H-Y", "丽江市古城区文汇社区玉泉小区3栋201室")
    household.building = building
    household.head = _resident(household, "张三丰", "户主", phone="13908881234")
    household.save()
    _resident(household, "李梅", "配偶", phone="13900005678")
    PiiAccess.objects.all().delete()
    return household


def found(user, q="", **filters) -> list[tuple[str, str]]:
    answer = homes_search(user=user, q=q, ip="10.0.0.7", **filters)
    return [(item["type"], item["title"].split(" · ")[-1]) for item in answer["items"]]


def zhang(household: Household) -> Resident:
    return household.residents.get(name="张三丰")


@pytest.mark.django_db
def test_anyone_with_the_registry_finds_people_by_name_and_homes_by_compound(operator, yuquan):
    assert found(operator, "三丰") == [("person", "张三丰")]
    assert found(operator, "张") == [("person", "张三丰")]
    assert found(operator, "玉泉小区 3栋") == [("household", "张三丰户")]
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_a_hit_names_the_household_by_masked_address_and_head(operator, yuquan):
    [item] = homes_search(user=operator, q="李梅")["items"]
    assert item == {
        "type": "person",
        "id": yuquan.residents.get(name="李梅").pk,
        "title": "李梅",
        "subtitle": "丽江市古城区*** · 张三丰户",
        "grid_code": WENHUI_GRID,
        "grid_name": yuquan.area.name,
        "household_id": yuquan.pk,
        "status": "living",
    }


@pytest.mark.django_db
def test_the_last_four_of_a_phone_find_the_person_for_anyone_with_the_registry(operator, yuquan):
    assert found(operator, "1234") == [("person", "张三丰")]
    assert found(operator, "5678") == [("person", "李梅")]
    assert PiiAccess.objects.count() == 0  # the mask shows these four


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["phone", "id_number", "id_tail", "address"])
def test_a_role_that_sees_masks_finds_nobody_through_them(operator, yuquan, what):
    person = zhang(yuquan)
    q = {
        "phone": person.phone,
        "id_number": person.id_number,
        "id_tail": person.id_number[-4:],
        "address": "玉泉小区3栋201",
    }[what]
    assert found(operator, q) == []
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["phone", "id_number", "id_tail"])
def test_a_role_with_pii_view_finds_by_them_and_it_is_recorded(community_staff, yuquan, what):
    person = zhang(yuquan)
    q = {"phone": person.phone, "id_number": person.id_number, "id_tail": person.id_number[-4:]}[
        what
    ]
    assert ("person", "张三丰") in found(community_staff, q.lower())
    audit = PiiAccess.objects.get()
    assert (audit.user, audit.model, audit.object_ids, audit.channel, audit.ip) == (
        community_staff,
        "residents",
        [person.pk],
        "search",
        "10.0.0.7",
    )
    assert audit.fields == ["phone" if what == "phone" else "id_number"]


@pytest.mark.django_db
def test_a_community_worker_finds_a_home_by_its_address_and_sees_it_whole(community_staff, yuquan):
    [item] = homes_search(user=community_staff, q="玉泉小区3栋201", ip="10.0.0.7")["items"]
    assert item["title"] == "丽江市古城区文汇社区玉泉小区3栋201室 · 张三丰户"
    audit = PiiAccess.objects.get()
    assert (audit.model, audit.object_ids, audit.fields) == ("households", [yuquan.pk], ["address"])


@pytest.mark.django_db
def test_a_name_search_by_a_role_with_pii_view_is_not_recorded(community_staff, yuquan):
    assert found(community_staff, "李梅") == [("person", "李梅")]
    assert PiiAccess.objects.count() == 0


@pytest.mark.django_db
def test_nobody_finds_outside_their_area(other_community_staff, community_staff, yuquan, far_home):
    assert found(other_community_staff, "张三丰") == []
    assert found(other_community_staff, "1234") == []
    assert found(community_staff, "赵六") == []
    with pytest.raises(NotFound):
        homes_search(user=other_community_staff, grid=WENHUI_GRID)


@pytest.mark.django_db
def test_a_grid_alone_lists_its_homes(community_staff, yuquan, far_home):
    answer = homes_search(user=community_staff, grid=WENHUI_GRID)
    assert [(i["type"], i["id"]) for i in answer["items"]] == [("household", yuquan.pk)]
    assert answer["count"] == 1
    assert homes_search(user=community_staff, grid=WENHUI)["count"] == 1


@pytest.mark.django_db
def test_status_narrows_people(community_staff, yuquan):
    Resident.objects.filter(name="李梅").update(status="moved_out")
    assert found(community_staff, "李梅") == []
    assert found(community_staff, "李梅", status="moved_out") == [("person", "李梅")]
    assert found(community_staff, "李梅", status="all") == [("person", "李梅")]
    with pytest.raises(DomainError):
        homes_search(user=community_staff, q="李梅", status="gone")


@pytest.mark.django_db
def test_pages_run_over_homes_then_people(community_staff, wenhui_point):
    for n in range(3):
        household = _household(wenhui_point, f"H-P{n}", f"文汇路{n}号")
        _resident(household, f"文汇人{n}")
    pages = [homes_search(user=community_staff, q="文汇", limit=4, offset=o) for o in (0, 4)]
    assert [p["count"] for p in pages] == [6, 6]
    assert [[i["title"] for i in p["items"]] for p in pages] == [
        ["文汇路0号", "文汇路1号", "文汇路2号", "文汇人0"],
        ["文汇人1", "文汇人2"],
    ]


@pytest.mark.django_db
def test_a_tag_filter_goes_through_the_care_app_and_its_refusals(
    community_staff, yuquan, monkeypatch
):
    seen = []

    def only(user, residents, key):
        seen.append(key)
        if key != "elderly_alone":
            raise NotFound()
        return residents.filter(name="张三丰")

    monkeypatch.setattr(extensions, "_tag_filter", only)
    assert found(community_staff, tag="elderly_alone") == [("person", "张三丰")]
    assert found(community_staff, "李", tag="elderly_alone") == []
    with pytest.raises(NotFound):
        homes_search(user=community_staff, tag="drug_rehab")
    assert seen == ["elderly_alone", "elderly_alone", "drug_rehab"]


@pytest.mark.django_db
def test_roles_without_the_registry_search_nothing(resident, yuquan):
    with pytest.raises(PermissionDenied):
        homes_search(user=resident, q="张三丰")


@pytest.mark.django_db
def test_a_long_query_is_refused(community_staff):
    with pytest.raises(DomainError) as error:
        homes_search(user=community_staff, q="长" * 101)
    assert error.value.field == "q"


@pytest.mark.django_db
def test_a_search_reads_in_a_fixed_number_of_queries(
    operator, wenhui_point, django_assert_num_queries
):
    for n in range(5):
        household = _household(wenhui_point, f"H-Q{n}", f"文汇路{n}号")
        household.head = _resident(household, f"和{n}")
        household.save()
    # A count of homes and of people, and a page of people (no home matches).
    with django_assert_num_queries(3):
        answer = homes_search(user=operator, q="和", grid=None)
    assert answer["count"] == 5
    with django_assert_num_queries(3):  # the grid, then homes: a count and a page
        answer = homes_search(user=operator, grid=WENHUI_GRID)
    assert answer["count"] == 5


@pytest.mark.django_db
def test_a_phone_written_with_spaces_is_the_same_phone(community_staff, operator, yuquan):
    assert found(community_staff, "139 0888-1234") == [("person", "张三丰")]
    assert found(operator, "139 0888 1234") == []
    assert found(operator, "12 34") == [("person", "张三丰")]
