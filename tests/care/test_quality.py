"""Data quality of the registry: each check finds what it should and nothing else, per grid and
rolled up per community; the worklist links to the pages; the sensitive rule holds."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.accounts.models import PiiAccess
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag
from gridgov.care.quality import quality_figures, quality_figures_warm
from gridgov.care.quality_worklist import quality_worklist
from gridgov.common.errors import NotFound, PermissionDenied
from gridgov.registry.models import Building, Compound, Household, Resident
from gridgov.registry.pii import id_birth_date
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID
from tests.registry.factories import id_number

TODAY = timezone.localdate()


def _household(grid: Area, number: str, **fields) -> Household:
    defaults = {"lon": 100.2, "lat": 26.87, "address": f"文汇路{number}号", "room": "101"}
    return Household.objects.create(area=grid, number=number, **(defaults | fields))


def _person(household: Household | None, name: str, *, area=None, **fields) -> Resident:
    number = fields.pop("id_number", None) or id_number()
    birth = fields.pop("birth_date", None) or id_birth_date(number)
    return Resident.objects.create(
        area=area or household.area,
        household=household,
        name=name,
        id_number=number,
        birth_date=birth,
        gender="F",
        residence="registered",
        lon=100.2,
        lat=26.87,
        phone=fields.pop("phone", "13908881234"),
        **fields,
    )


def _adult_id() -> str:
    while True:
        number = id_number()
        age = (TODAY - id_birth_date(number)).days // 365
        if 20 <= age <= 75:
            return number


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()  # figures of a street or more are kept for minutes
    yield
    cache.clear()


@pytest.fixture
def grids(db):
    wenhui_grid = Area.objects.get(code=WENHUI_GRID)
    jinjia_grid = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    return wenhui_grid, jinjia_grid


@pytest.fixture
def registry(grids):
    """One case of each check in 文汇's first grid, the clean case beside it, and one bad
    household in 金甲 that 文汇's staff must never see."""
    grid, other = grids
    good = _household(grid, "1")
    _person(good, "好人", id_number=_adult_id())
    empty = _household(grid, "2")  # nobody living: the one there moved out
    _person(empty, "走了", status=Resident.Status.MOVED_OUT)
    _household(grid, "3", occupancy=Household.Occupancy.VACANT)  # vacant: not a problem
    no_address = _household(grid, "4", address="")
    _person(no_address, "无址")
    no_door = _household(grid, "5", room="", address="文汇路")
    _person(no_door, "无门牌")
    village = _household(grid, "5b", room="", address="龙山村179号")  # a door number
    _person(village, "村民")
    compound = Compound.objects.create(
        area=grid, name="玉泉小区", property_status="managed", lon=100.2, lat=26.87
    )
    building = Building.objects.create(area=grid, compound=compound, name="3栋", lon=1, lat=1)
    in_building = _household(grid, "6", room="", building=building)  # a building: standard
    _person(in_building, "楼里")
    bad_id = _household(grid, "7")
    _person(bad_id, "错号", id_number="53070219800101001X", birth_date=dt.date(1980, 1, 1))
    _person(bad_id, "短号", id_number="5307021980", birth_date=dt.date(1980, 1, 1))
    _person(bad_id, "二月三十", id_number="530702198002300012", birth_date=dt.date(1980, 2, 1))
    no_phone = _household(grid, "8")
    _person(no_phone, "无电话", id_number=_adult_id(), phone="")
    child_id = next(n for n in iter(id_number, None) if (TODAY - id_birth_date(n)).days < 15 * 365)
    _person(no_phone, "孩子", id_number=child_id, phone="")  # a child: no phone expected
    twin_a, twin_b = _household(grid, "9", address="同址路1号"), _household(grid, "10")
    shared = _adult_id()
    _person(twin_a, "同名", id_number=shared)
    _person(twin_b, "同名", birth_date=id_birth_date(shared))
    _household(grid, "11", address="同址路1号")
    far = _household(other, "99", address="")  # 金甲: no one and no address
    return {
        "good": good,
        "empty": empty,
        "no_address": no_address,
        "no_door": no_door,
        "far": far,
        "twin_a": twin_a,
        "twin_b": twin_b,
    }


@pytest.mark.django_db
def test_each_check_counts_what_it_should_in_the_grid(grid_worker, registry):
    totals = quality_figures(user=grid_worker)["totals"]["counts"]
    assert totals == {
        "households_empty": 2,  # "2" (moved out) and "11"; "3" is vacant
        "people_bad_id": 3,
        "people_no_phone": 1,
        "addresses_nonstandard": 2,
        "people_duplicate": 2,
        "households_same_address": 2,
        "tags_review_overdue": 0,
    }


@pytest.mark.django_db
def test_figures_roll_up_per_community_with_the_district_totals(district_staff, registry):
    figures = quality_figures(user=district_staff, area_code="530702")
    rows = {row["code"]: row for row in figures["rows"]}
    assert all(row["kind"] == "community" for row in figures["rows"])
    assert rows[WENHUI]["counts"]["households_empty"] == 2
    assert rows[JINJIA]["counts"]["households_empty"] == 1  # the household in 金甲
    assert rows[JINJIA]["counts"]["addresses_nonstandard"] == 1
    assert figures["totals"]["counts"]["households_empty"] == 3
    assert figures["totals"]["households"] == Household.objects.count()
    assert figures["totals"]["residents"] == Resident.objects.filter(status="living").count()
    # a community's figures are per grid
    community = quality_figures(user=district_staff, area_code=WENHUI)
    assert {row["kind"] for row in community["rows"]} == {"grid"}
    assert {r["code"]: r for r in community["rows"]}[WENHUI_GRID]["counts"]["people_bad_id"] == 3


@pytest.mark.django_db
def test_figures_take_the_same_number_of_queries_for_more_residents(district_staff, registry):
    with CaptureQueriesContext(connection) as first:
        quality_figures(user=district_staff, area_code=WENHUI)
    grid = Area.objects.get(code=WENHUI_GRID)
    for n in range(30):
        _person(_household(grid, f"more{n}", address=""), f"多{n}", phone="")
    with CaptureQueriesContext(connection) as second:
        figures = quality_figures(user=district_staff, area_code=WENHUI)
    assert len(second) == len(first)
    assert figures["totals"]["counts"]["addresses_nonstandard"] == 32  # 文汇's 2 and the 30


@pytest.mark.django_db
def test_a_district_s_figures_are_counted_once_for_some_minutes(district_staff, registry):
    counted = quality_figures(user=district_staff, area_code="530702")
    with CaptureQueriesContext(connection) as again:
        cached = quality_figures(user=district_staff, area_code="530702")
    assert len(again) <= 2  # the area and its scope check, no count
    assert cached["totals"] == counted["totals"]
    assert cached["counted_at"] == counted["counted_at"]


@pytest.mark.django_db
def test_nobody_reads_figures_outside_their_area_or_without_the_registry(
    other_community_staff, grid_worker, resident, registry
):
    jinjia = quality_figures(user=other_community_staff)
    assert jinjia["area"]["code"] == JINJIA
    assert jinjia["totals"]["counts"]["households_empty"] == 1
    for user, code in (
        (other_community_staff, WENHUI),
        (grid_worker, JINJIA),
        (grid_worker, WENHUI),
    ):
        with pytest.raises(NotFound):
            quality_figures(user=user, area_code=code)
    with pytest.raises(NotFound):
        quality_worklist(user=grid_worker, area_code="not-a-code")
    with pytest.raises(PermissionDenied):
        quality_figures(user=resident)


@pytest.mark.django_db
def test_the_worklist_links_each_problem_to_its_page_masked_for_a_role_without_pii(
    grid_worker, party_secretary, registry
):
    worklist = quality_worklist(user=grid_worker)
    sections = {s["key"]: s for s in worklist["sections"]}
    empty = sections["households_empty"]
    assert empty["count"] == 2
    assert f"/registry/households/{registry['empty'].pk}/" in [i["url"] for i in empty["items"]]
    listed = [(i["type"], i["id"]) for s in worklist["sections"] for i in s["items"]]
    assert ("household", registry["far"].pk) not in listed
    duplicates = sections["people_duplicate"]["items"]
    assert [i["title"] for i in duplicates] == ["同名", "同名"]
    assert all(i["url"].startswith("/registry/people/") for i in duplicates)
    assert "文汇路9号" not in str(worklist)  # twin_a's address is 同址路1号
    titles = [i["title"] for i in sections["households_same_address"]["items"]]
    assert titles == ["同址路1号", "同址路1号"]  # no head: the address alone
    masked = quality_worklist(user=party_secretary, area_code=WENHUI_GRID)
    masked_titles = [
        i["title"]
        for s in masked["sections"]
        if s["key"] == "households_same_address"
        for i in s["items"]
    ]
    assert masked_titles
    assert "同址路1号" not in masked_titles


def _tag(person: Resident, key: str, review_due: dt.date) -> ResidentTag:
    return ResidentTag.objects.create(
        resident=person,
        tag=CareTag.objects.get(key=key),
        area=person.area,
        since=review_due - dt.timedelta(days=365),
        review_due=review_due,
    )


@pytest.mark.django_db
def test_sensitive_groups_overdue_for_review_only_for_those_who_may_see_them(
    grid_worker, party_secretary, community_staff, registry
):
    grid = Area.objects.get(code=WENHUI_GRID)
    household = _household(grid, "t1")
    elderly, corrected = _person(household, "独居老人"), _person(household, "矫正对象")
    _tag(elderly, "elderly_alone", TODAY - dt.timedelta(days=3))
    _tag(corrected, "community_correction", TODAY - dt.timedelta(days=10))
    _tag(_person(household, "按时"), "disabled", TODAY + dt.timedelta(days=3))  # not yet due
    assert CareTag.objects.get(key="community_correction").sensitive

    secretary = quality_worklist(user=party_secretary, area_code=WENHUI_GRID)
    review = next(s for s in secretary["sections"] if s["key"] == "tags_review_overdue")
    assert (review["count"], [i["title"] for i in review["items"]]) == (1, ["独居老人"])
    assert "矫正" not in str(secretary)
    assert "社区矫正" not in str(secretary)
    figures = quality_figures(user=party_secretary, area_code=WENHUI)
    assert figures["totals"]["counts"]["tags_review_overdue"] == 1
    assert not PiiAccess.objects.filter(model="care.residenttag").exists()

    worker = quality_worklist(user=grid_worker, channel="page", ip="10.0.0.7")
    review = next(s for s in worker["sections"] if s["key"] == "tags_review_overdue")
    assert [i["title"] for i in review["items"]] == [
        "矫正对象",
        "独居老人",
    ]  # longest overdue first
    access = PiiAccess.objects.get(model="care.residenttag")
    assert (access.user, access.channel, access.fields) == (
        grid_worker,
        "page",
        ["tag:community_correction"],
    )
    assert quality_figures(user=community_staff)["totals"]["counts"]["tags_review_overdue"] == 2


@pytest.mark.django_db
def test_warmed_figures_spare_a_leader_the_count_and_keep_the_sensitive_rule(
    district_staff, operator, registry
):
    grid = Area.objects.get(code=WENHUI_GRID)
    _tag(_person(_household(grid, "w1"), "矫正"), "community_correction", TODAY - dt.timedelta(1))
    assert (
        quality_figures_warm()
        == Area.objects.exclude(kind__in=("community", "grid", "micro_grid")).count()
    )
    with CaptureQueriesContext(connection) as read:
        staff = quality_figures(user=district_staff, area_code="530702")
        plain = quality_figures(user=operator, area_code="530702")
    assert len(read) <= 4  # the areas and their scope, no count
    assert staff["totals"]["counts"]["tags_review_overdue"] == 1
    assert plain["totals"]["counts"]["tags_review_overdue"] == 0  # operator: no sensitive right
