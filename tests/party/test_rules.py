"""Party building rules on a small, known district: the compound rule, coverage, bounds,
the report command, points and their publication, grading, and scope."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, NotFound, OutOfScope, PermissionDenied
from gridgov.party import services
from gridgov.party.models import (
    CentralHousehold,
    HouseholdLink,
    Member,
    Organization,
    PointEntry,
    PointRule,
    ServiceRecord,
)
from gridgov.registry.models import Building, Compound, Household
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID, _persona
from tests.registry.factories import id_number


@pytest.fixture
def secretary(db) -> User:
    return _persona("secretary", "party_secretary", WENHUI)


@pytest.fixture
def other_secretary(db) -> User:
    return _persona("other_secretary", "party_secretary", JINJIA)


def _member(org, household, *, status="formal", born=dt.date(1980, 5, 1), **extra) -> Member:
    number = id_number()
    return Member.objects.create(
        name=f"党员{household.pk}{status[:1]}{Member.objects.count()}",
        id_number=number,
        gender="M",
        birth_date=born,
        status=status,
        organization=org,
        household=household,
        area=household.area,
        **extra,
    )


@pytest.fixture
def town(db):
    """文汇 grid 1: compound A (3 formal members, own branch), compound B (2 formal members,
    in a joint branch), compound C (4 formal members, no branch of its own: a violation);
    30 households in A."""
    grid = Area.objects.get(code=WENHUI_GRID)
    community = Area.objects.get(code=WENHUI)
    committee = Organization.objects.create(
        name="文汇社区党总支", kind="general_branch", area=community
    )
    made = {"grid": grid, "committee": committee}
    for key in "ABC":
        compound = Compound.objects.create(
            name=f"小区{key}", area=grid, lon=100.23, lat=26.87, property_status="managed"
        )
        building = Building.objects.create(
            compound=compound, name="1栋", area=grid, lon=100.23, lat=26.87
        )
        made[key] = compound
        made[f"{key}_homes"] = [
            Household.objects.create(
                area=grid, lon=100.23, lat=26.87, number=f"{key}{i:03d}", building=building
            )
            for i in range(30 if key == "A" else 6)
        ]
    own = Organization.objects.create(
        name="小区A党支部", kind="compound_branch", formation="single", area=grid, parent=committee
    )
    own.compounds.add(made["A"])
    joint = Organization.objects.create(
        name="联合党支部", kind="compound_branch", formation="joint", area=grid, parent=committee
    )
    joint.compounds.add(made["B"])
    made["own"], made["joint"] = own, joint
    made["members"] = (
        [_member(own, h) for h in made["A_homes"][:3]]
        + [_member(joint, h) for h in made["B_homes"][:2]]
        + [_member(committee, h) for h in made["C_homes"][:4]]
        + [_member(committee, made["C_homes"][4], born=dt.date(1945, 1, 1))]  # over 70
    )
    return made


@pytest.mark.django_db
def test_report_shows_the_compound_rule_coverage_and_bounds(secretary, town):
    services.proposal_apply(user=secretary, root_code=WENHUI)
    out = io.StringIO()
    call_command("party_report", "--root", WENHUI, stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) >= {
        "organizations",
        "compounds_without_organization",
        "grids_without_organization",
        "branch_rule_violations",
        "households_without_member",
        "central_households_out_of_bounds",
        "members_out_of_bounds",
        "household_coverage",
    }
    assert report["organizations"]["compound_branch"] == 2
    violations = {v["name"]: v for v in report["branch_rule_violations"]}
    assert set(violations) == {"小区C"}  # 4 formal members and no branch of its own
    assert "own branch" in violations["小区C"]["rule"]
    assert [c["name"] for c in report["compounds_without_organization"]] == ["小区C"]
    assert WENHUI_GRID not in [g["code"] for g in report["grids_without_organization"]]
    # 42 households, 9 members who may link (the one over 70 is exempt), 15 each at most.
    linked = HouseholdLink.objects.count()
    assert linked == 42
    assert report["household_coverage"] == round(linked / 42, 4)
    assert report["households_without_member"] == []
    for member in Member.objects.all():
        n = member.household_links.count()
        if member.birth_date.year == 1945:
            assert n == 0  # exempt members are not given households
        else:
            assert n <= 15
    # Central households: 9 members in one grid → groups of 2–5.
    sizes = sorted(c.members.count() for c in CentralHousehold.objects.all())
    assert sum(sizes) == 9
    assert all(2 <= s <= 5 for s in sizes)
    assert report["central_households_out_of_bounds"] == []
    # A's 3 members took A's 30 homes (10 each, within 5–15); B's and C's members have only
    # 6 homes each to share, so they are reported under the minimum.
    out_of_bounds = {m["id"] for m in report["members_out_of_bounds"]}
    small = {m.pk for m in town["members"][3:9]}
    assert out_of_bounds == small
    assert all(m["households"] < 5 for m in report["members_out_of_bounds"])


@pytest.mark.django_db
def test_a_single_branch_for_too_few_members_is_a_violation(secretary, town):
    town["joint"].formation = "single"
    town["joint"].save()
    out = io.StringIO()
    call_command("party_report", "--root", WENHUI, stdout=out)
    violations = {
        v["name"]: v["rule"] for v in json.loads(out.getvalue())["branch_rule_violations"]
    }
    assert "joint branch" in violations["小区B"]


@pytest.mark.django_db
def test_a_secretary_works_only_in_their_community(secretary, other_secretary, operator, town):
    with pytest.raises((OutOfScope, DomainError)):
        services.proposal_make(user=other_secretary, root_code=WENHUI)
    with pytest.raises(PermissionDenied):
        services.proposal_make(user=operator, root_code=WENHUI)  # the center reads, not edits
    member = town["members"][0]
    with pytest.raises(NotFound):
        services.point_entry_add(
            user=other_secretary,
            member_id=member.pk,
            rule_code="study",
            date="2026-11-01",
            evidence="学习记录",
        )
    household = town["C_homes"][5]
    with pytest.raises(NotFound):
        services.link_set(user=other_secretary, household_id=household.pk, member_id=member.pk)
    link = services.link_set(user=secretary, household_id=household.pk, member_id=member.pk)
    assert link.member == member


@pytest.mark.django_db
def test_points_entries_approval_publication_and_automatic(secretary, town):
    member, other = town["members"][0], town["members"][1]
    with pytest.raises(DomainError):
        services.point_entry_add(
            user=secretary, member_id=member.pk, rule_code="study", date="2026-11-01"
        )
    with pytest.raises(DomainError):
        services.point_entry_add(
            user=secretary, member_id=member.pk, rule_code="study", date="2999-01-01", evidence="x"
        )
    entry = services.point_entry_add(
        user=secretary,
        member_id=member.pk,
        rule_code="study",
        date="2026-10-10",
        evidence="学习记录",
    )
    assert entry.status == "pending"
    services.point_entry_decide(user=secretary, entry_id=entry.pk, approve=True)
    with pytest.raises(Conflict):
        services.point_entry_decide(user=secretary, entry_id=entry.pk, approve=False)
    absent = services.point_entry_add(
        user=secretary, member_id=other.pk, rule_code="absent", date="2026-10-12", evidence="缺席"
    )
    services.point_entry_decide(user=secretary, entry_id=absent.pk, approve=True)
    ServiceRecord.objects.create(
        member=other, date=dt.date(2026, 10, 20), hours=4, description="走访"
    )
    assert services.points_automatic() == 1
    assert services.points_automatic() == 0  # nothing twice
    publication = services.publication_make(
        user=secretary, organization_id=town["own"].pk, year=2026, quarter=4
    )
    ranks = {r["name"]: (r["rank"], r["points"]) for r in publication.ranking}
    assert ranks[member.name] == (1, "102.0")  # base 100 + study 2
    assert ranks[other.name][1] == "99.0"  # 100 − 3 absent + 4 h × 0.5
    with pytest.raises(Conflict):
        services.publication_make(
            user=secretary, organization_id=town["own"].pk, year=2026, quarter=4
        )
    with pytest.raises(DomainError):
        services.publication_make(
            user=secretary, organization_id=town["own"].pk, year=2099, quarter=1
        )


@pytest.mark.django_db
def test_grading_uses_the_template_and_lists_what_pulls_down(secretary, town):
    from gridgov.party.grading import lagging, template_for

    basics = template_for(town["committee"], 2026)
    assert [b["key"] for b in basics] == ["team", "position", "rules", "activities", "support"]
    strong = services.grading_compute(
        user=secretary,
        organization_id=town["committee"].pk,
        year=2026,
        scores={"team": 18, "position": 18, "rules": 18, "activities": 17, "support": 16},
    )
    assert strong.grade == "A"
    weak = services.grading_compute(
        user=secretary,
        organization_id=town["committee"].pk,
        year=2025,
        scores={"team": 18, "position": 18, "rules": 5, "activities": 17, "support": 16},
    )
    assert weak.grade == "C"  # one basic under 8
    assert lagging(2025)[0]["weakest"][0] == {"basic": "rules", "label": "制度落实", "score": "5"}
    with pytest.raises(DomainError):
        services.grading_compute(
            user=secretary, organization_id=town["committee"].pk, year=2026, scores={"team": 25}
        )


@pytest.mark.django_db
def test_members_are_checked_when_saved(secretary, town):
    household = town["C_homes"][5]
    valid = id_number()
    member = Member(
        name="和新",
        id_number=valid[:17] + ("0" if valid[17] != "0" else "1"),
        phone="13800138000",
        status="formal",
        organization=town["committee"],
        household=household,
    )
    with pytest.raises(DomainError):
        services.member_save(user=secretary, member=member)  # the check digit is wrong
    member.id_number = valid
    member.phone = "12345"
    with pytest.raises(DomainError):
        services.member_save(user=secretary, member=member)
    member.phone = "13800138000"
    saved = services.member_save(user=secretary, member=member)
    assert saved.area == household.area
    assert saved.birth_date.year > 1900
    duplicate = Member(
        name="重复",
        id_number=saved.id_number,
        status="formal",
        organization=town["committee"],
        household=household,
        phone="",
    )
    with pytest.raises(Conflict):
        services.member_save(user=secretary, member=duplicate)
    assert PointRule.objects.filter(automatic=False).count() >= 10
    assert timezone.localdate()
    assert PointEntry.objects.count() == 0


@pytest.mark.django_db
def test_double_registration_and_the_report_to_the_unit(secretary, community_staff, town):
    from django.test import Client

    from gridgov.registry.models import Unit

    unit = Unit.objects.create(
        name="区住建局", kind="government", area=town["grid"], lon=100.23, lat=26.87
    )
    member = town["members"][0]
    with pytest.raises(DomainError):
        services.double_register(user=secretary, community_code=WENHUI, member_id=member.pk)
    Member.objects.filter(pk=member.pk).update(in_service=True, work_unit=unit)
    services.double_register(user=secretary, community_code=WENHUI, member_id=member.pk)
    with pytest.raises(Conflict):
        services.double_register(user=secretary, community_code=WENHUI, member_id=member.pk)
    with pytest.raises(DomainError):  # a grid is not a community
        services.double_register(user=secretary, community_code=WENHUI_GRID, unit_id=unit.pk)
    services.double_register(user=secretary, community_code=WENHUI, unit_id=unit.pk)
    ServiceRecord.objects.create(
        member=member, date=dt.date(2026, 9, 1), hours=3, description="走访"
    )
    ServiceRecord.objects.create(
        member=member, date=dt.date(2026, 3, 1), hours=5, description="上半年"
    )
    client = Client()
    client.force_login(community_staff)
    page = client.get(f"/party/report-back/{unit.pk}/", {"year": 2026, "half": 2})
    assert page.status_code == 200
    row = page.content.decode().split('id="report-back"')[1]
    assert member.name in row
    assert "3.0" in row  # the second half only
    assert "5.0" not in row
    assert client.get(f"/party/report-back/{unit.pk}/", {"half": 3}).status_code == 400


@pytest.mark.django_db
def test_a_resolution_goes_into_the_event_flow_once(secretary, town):
    from gridgov.party.models import Meeting, Resolution

    meeting = Meeting.objects.create(
        area=Area.objects.get(code=WENHUI), held_on=dt.date(2026, 11, 1), agenda="小区停车"
    )
    resolution = Resolution.objects.create(
        meeting=meeting, text="规划玉泉小区停车位", owner="区住建局", due_on=dt.date(2026, 12, 31)
    )
    event = services.resolution_to_event(user=secretary, resolution_id=resolution.pk)
    assert event.source == "referral"
    assert event.area.path.startswith(meeting.area.path)
    assert "规划玉泉小区停车位" in event.description
    with pytest.raises(Conflict):
        services.resolution_to_event(user=secretary, resolution_id=resolution.pk)


@pytest.mark.django_db
def test_coverage_by_grid_and_community_on_the_tree_page(secretary, community_staff, town):
    from django.test import Client

    from gridgov.party.selectors import coverage_by_area

    services.link_set(
        user=secretary, household_id=town["A_homes"][0].pk, member_id=town["members"][0].pk
    )
    by_grid = coverage_by_area(Area.objects.get(code=WENHUI), "grid")
    assert [(c["area"], c["households"], c["linked"]) for c in by_grid] == [(WENHUI_GRID, 42, 1)]
    by_community = coverage_by_area(Area.objects.get(code="530702001"), "community")
    assert [(c["area"], c["linked"]) for c in by_community] == [(WENHUI, 1)]
    client = Client()
    client.force_login(community_staff)
    page = client.get("/party/").content.decode()
    assert 'id="coverage"' in page
    assert "文汇社区党总支" in page


@pytest.mark.django_db
def test_adjusting_a_link_in_the_back_office_keeps_the_bounds(secretary, town, settings):
    from django.test import Client

    settings.GRIDGOV_PARTY_BOUNDS = {"households_per_member": [1, 2]}
    member = town["members"][0]
    client = Client()
    client.force_login(secretary)
    homes = town["A_homes"][:3]
    for home in homes[:2]:
        answer = client.post(
            "/admin/party/householdlink/add/", {"household": home.pk, "member": member.pk}
        )
        assert answer.status_code == 302
    third = client.post(
        "/admin/party/householdlink/add/", {"household": homes[2].pk, "member": member.pk}
    )
    assert third.status_code == 200  # the form comes back with the reason
    assert "2" in third.content.decode()
    assert HouseholdLink.objects.filter(member=member).count() == 2


@pytest.mark.django_db
def test_members_added_in_the_back_office_are_checked(secretary, town):
    from django.test import Client

    client = Client()
    client.force_login(secretary)
    valid = id_number()
    form = {
        "name": "和新",
        "id_number": valid[:17] + ("0" if valid[17] != "0" else "1"),
        "phone": "13800138000",
        "status": "formal",
        "organization": town["committee"].pk,
        "household": town["C_homes"][5].pk,
        "area": Area.objects.get(code=WENHUI_GRID).pk,
    }
    refused = client.post("/admin/party/member/add/", form)
    assert refused.status_code == 200
    assert not Member.objects.filter(name="和新").exists()
    saved = client.post("/admin/party/member/add/", {**form, "id_number": valid})
    assert saved.status_code == 302
    member = Member.objects.get(name="和新")
    assert member.birth_date.isoformat().replace("-", "") == valid[6:14]


@pytest.mark.django_db
def test_automatic_points_for_reports_filed_and_problems_solved_on_the_spot(
    secretary, operator, town, wenhui_point
):
    from gridgov.events.services import event_act, event_report
    from tests.events.factories import photo_ref

    member = town["members"][0]
    Member.objects.filter(pk=member.pk).update(phone="13912345678")
    worker = User.objects.create(
        username="member_worker",
        role="grid_worker",
        area=Area.objects.get(code=WENHUI_GRID),
        phone="13912345678",
    )
    data = {
        "subclass": "0102",
        "description": "垃圾",
        "lon": wenhui_point[0],
        "lat": wenhui_point[1],
    }
    filed = event_report(user=worker, data=data, source="worker")
    event_act(user=operator, event_id=filed.pk, action="accept")
    event_report(user=worker, data={**data, "description": "未立案"}, source="worker")
    solved = event_report(user=worker, data={**data, "subclass": "0103"}, source="worker")
    event_act(
        user=worker,
        event_id=solved.pk,
        action="solve_on_spot",
        data={"photos": [photo_ref(worker)]},
    )
    assert (
        services.points_automatic() == 3
    )  # filed (2 events: the solved one is filed too) + solved
    keys = set(PointEntry.objects.filter(member=member).values_list("source_key", flat=True))
    assert keys == {
        f"event-reported:{filed.pk}",
        f"event-reported:{solved.pk}",
        f"event-solved:{solved.pk}",
    }
    assert services.points_automatic() == 0
