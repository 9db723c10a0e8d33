"""A year's combined assessment of a small known district, scored by hand, and the rules of
the seed: one published assessment a street a year, frozen once published, set by the
district only."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gridgov.accounts.roles import Role
from gridgov.areas.models import Department
from gridgov.assessment.models import AreaResult, Assessment, Indicator
from gridgov.assessment.runs import assessment_compute, assessment_publish
from gridgov.assessment.services import indicator_save, zone_save
from gridgov.common.errors import Conflict, DomainError, PermissionDenied
from tests.assessment.conftest import DAYAN, DISTRICT, JINJIA, SHUHE, WENHUI, XIAN
from tests.conftest import _persona

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _result(run, code) -> AreaResult:
    return AreaResult.objects.get(assessment=run, area__code=code)


def test_streets_scored_graded_and_ranked_by_hand(admin_user, known_rules):
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    assert (run.version, run.status) == (1, "draft")

    # 大研: t_a 80 → 100×(80−50)/(90−50) = 75; t_b 11 → 100×(11−20)/(2−20) = 50;
    # (60×75 + 40×50) / 100 = 65.0 → C (60–75). Lost: t_a 0.6×25 = 15, t_b 0.4×50 = 20.
    dayan = _result(run, DAYAN)
    assert dayan.score == Decimal("65.0")
    assert dayan.grade == "C"
    assert dayan.pulling_down == ["t_b", "t_a"]
    lines = {line["key"]: line for line in dayan.lines}
    assert (lines["t_a"]["score"], lines["t_a"]["lost"]) == (75.0, 15.0)
    assert (lines["t_b"]["score"], lines["t_b"]["lost"]) == (50.0, 20.0)
    # 束河: 95 is above the target and 1 below the (lower) target: both 100 → A, nothing down.
    shuhe = _result(run, SHUHE)
    assert (shuhe.score, shuhe.grade, shuhe.pulling_down) == (Decimal("100.0"), "A", [])
    # Ranked within their zone.
    assert (shuhe.rank, dayan.rank) == (1, 2)

    # 西安: t_c has no data anywhere, so only t_a counts: 77.7 → B (75–90).
    xian = _result(run, XIAN)
    assert (xian.score, xian.grade, xian.rank) == (Decimal("77.7"), "B", 1)
    no_data = [line for line in xian.lines if line["key"] == "t_c"][0]
    assert (no_data["value"], no_data["score"], no_data["lost"]) == (None, None, None)
    assert xian.pulling_down == ["t_a"]


def test_communities_graded_a_b_c_within_their_street(admin_user, known_rules):
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    jinjia, wenhui = _result(run, JINJIA), _result(run, WENHUI)
    # 90 → A (85 or more); 59.94 rounds half up to 59.9 → C (under 60).
    assert (jinjia.kind, jinjia.score, jinjia.grade, jinjia.rank) == (
        "community",
        Decimal("90.0"),
        "A",
        1,
    )
    assert (wenhui.score, wenhui.grade, wenhui.rank) == (Decimal("59.9"), "C", 2)
    # Another community of 西安 without data: no score, no grade, no rank.
    other = AreaResult.objects.filter(assessment=run, area__parent__code=XIAN).exclude(
        area__code__in=[JINJIA, WENHUI]
    )
    assert other.exists()
    assert {(r.score, r.grade, r.rank) for r in other} == {(None, "", None)}
    # Streets outside every zone are not assessed.
    assert not AreaResult.objects.filter(assessment=run, area__code="530702007").exists()


def test_a_recompute_before_publishing_is_a_new_version_and_rules_are_copied(
    admin_user, known_rules
):
    first = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    ind = Indicator.objects.get(zone=known_rules["old"], key="t_b")
    indicator_save(user=admin_user, indicator_id=ind.pk, weight=60)  # 60/60 now
    second = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    assert second.version == 2
    # The first keeps its score and its copy of the rules; the second: (60×75+60×50)/120.
    assert _result(first, DAYAN).score == Decimal("65.0")
    assert _result(second, DAYAN).score == Decimal("62.5")
    weights = {i["key"]: i["weight"] for z in first.rules["zones"] for i in z["indicators"]}
    assert weights["t_b"] == "40.00"


def test_published_results_never_change(admin_user, known_rules):
    first = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    latest = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    with pytest.raises(Conflict):  # only the latest version may be published
        assessment_publish(user=admin_user, assessment_id=first.pk)
    assessment_publish(user=admin_user, assessment_id=latest.pk)
    latest.refresh_from_db()
    assert latest.status == "published"
    assert latest.published_at is not None

    ind = Indicator.objects.get(zone=known_rules["old"], key="t_a")
    indicator_save(user=admin_user, indicator_id=ind.pk, weight=1)
    with pytest.raises(Conflict):
        assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    with pytest.raises(Conflict):
        assessment_publish(user=admin_user, assessment_id=latest.pk)
    assert _result(latest, DAYAN).score == Decimal("65.0")
    assert Assessment.objects.filter(root__code=DISTRICT, year=YEAR).count() == 2


def test_one_published_assessment_a_year_is_held_by_the_database(admin_user, known_rules):
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    assessment_publish(user=admin_user, assessment_id=run.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            root=run.root,
            year=YEAR,
            version=9,
            status="published",
            since=run.since,
            until=run.until,
            rules={},
            computed_at=run.computed_at,
        )


def test_a_street_is_in_one_zone_only(admin_user, known_rules):
    with pytest.raises(Conflict):
        zone_save(user=admin_user, root_code=DISTRICT, name="另一个", street_codes=[DAYAN])
    assert list(
        known_rules["old"].streets.values_list("street__code", flat=True).order_by("street__code")
    ) == [DAYAN, SHUHE]
    with pytest.raises(DomainError):  # a community is not a street
        zone_save(user=admin_user, root_code=DISTRICT, name="另一个", street_codes=[WENHUI])


@pytest.mark.parametrize(
    ("role", "area", "department"),
    [
        (Role.AREA_STAFF, XIAN, None),  # a street's staff: ASSESSMENT_EDIT, but not the district
        (Role.OPERATOR, DISTRICT, None),  # the center reads, does not set
        (
            Role.DEPARTMENT_HANDLER,
            DISTRICT,
            "区城市管理综合行政执法局",
        ),  # no department assesses streets
        (Role.LEADER, DISTRICT, "区城市管理综合行政执法局"),  # not even a leader sitting in one
    ],
)
def test_only_the_district_sets_computes_and_publishes(
    admin_user, known_rules, role, area, department
):
    user = _persona("hostile", role, area)
    user.department = Department.objects.get(name=department) if department else None
    user.save(update_fields=["department"])
    run = assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    before = (Indicator.objects.count(), Assessment.objects.count())
    with pytest.raises(PermissionDenied):
        assessment_compute(user=user, root_code=DISTRICT, year=YEAR)
    with pytest.raises(PermissionDenied):
        assessment_publish(user=user, assessment_id=run.pk)
    with pytest.raises(PermissionDenied):
        zone_save(user=user, zone_id=known_rules["old"].pk, name="改")
    with pytest.raises(PermissionDenied):
        indicator_save(user=user, zone_id=known_rules["old"].pk, key="t_c", weight=5)
    assert (Indicator.objects.count(), Assessment.objects.count()) == before
    run.refresh_from_db()
    assert run.status == "draft"


def test_the_district_leader_computes(leader, known_rules):
    run = assessment_compute(user=leader, root_code=DISTRICT, year=YEAR)
    assert run.computed_by == leader


@pytest.mark.parametrize("year", [1999, YEAR + 1, 2100])
def test_bad_years_are_refused(admin_user, known_rules, year):
    with pytest.raises(DomainError):
        assessment_compute(user=admin_user, root_code=DISTRICT, year=year)
    assert not Assessment.objects.exists()


def test_nothing_to_compute_without_rules(admin_user):
    with pytest.raises(DomainError) as error:
        assessment_compute(user=admin_user, root_code=DISTRICT, year=YEAR)
    assert error.value.code == "no_rules"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight": 0}, "weight"),
        ({"weight": -3}, "weight"),
        ({"weight": "abc"}, "weight"),
        ({"weight": 5000}, "weight"),
        ({"target": "nan"}, "target"),
        ({"target": 20, "baseline": 20}, "target"),
    ],
)
def test_bad_indicator_values_change_nothing(admin_user, known_rules, changes, field):
    ind = Indicator.objects.get(zone=known_rules["old"], key="t_a")
    with pytest.raises(DomainError) as error:
        indicator_save(user=admin_user, indicator_id=ind.pk, **changes)
    assert error.value.field == field
    ind.refresh_from_db()
    assert (ind.weight, ind.target, ind.baseline) == (Decimal("60.00"), 90, 50)


def test_unknown_indicator_is_refused(admin_user, known_rules):
    with pytest.raises(DomainError) as error:
        indicator_save(user=admin_user, zone_id=known_rules["old"].pk, key="nope", weight=1)
    assert error.value.code == "unknown_indicator"
