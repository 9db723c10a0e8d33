"""People's KPIs on a known October (tests/analytics/kpis_story.py): every figure against
its hand-computed value, the ranking, and who may read what."""

import pytest

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.analytics.kpis import kpis_report
from gridgov.common.errors import DomainError, NotFound, OutOfScope, PermissionDenied
from tests.analytics.kpis_story import SINCE, UNTIL, at, build_story
from tests.conftest import WENHUI, WENHUI_GRID, _persona

NOW = at(30, 12)


@pytest.fixture
def leader(db):
    return _persona("leader", Role.LEADER, "530702")


@pytest.fixture
def story(db):
    return build_story()


def report(user, family, **kwargs):
    kwargs.setdefault("since", SINCE)
    kwargs.setdefault("until", UNTIL)
    return kpis_report(user=user, family=family, now=NOW, **kwargs)


def workers_of_grid(*codes: str) -> set[int]:
    """Every grid worker and head whose area is one of `codes` (文汇社区第1网格 by default),
    the demo's and the story's."""
    return set(
        User.objects.filter(
            role__in=(Role.GRID_WORKER, Role.GRID_HEAD), area__code__in=codes or [WENHUI_GRID]
        ).values_list("pk", flat=True)
    )


def by_id(result) -> dict:
    return {row["id"]: row for row in result["rows"]}


def test_grid_workers_on_known_events(story, community_staff):
    rows = by_id(report(community_staff, "workers"))
    w1, w2 = rows[story.people["w1"].pk], rows[story.people["w2"].pk]
    # E1 filed, E2 refused, E3 waiting (not decided), E4 merged: 1 of 3 decided.
    assert w1["counts"]["reported"] == 4
    assert (w1["counts"]["decided"], w1["counts"]["filed"]) == (3, 1)
    assert w1["rates"]["valid_report_rate"] == 0.3333
    assert w2["rates"]["valid_report_rate"] == 1.0
    # Offers: w1 answered in 1 h and in 5 h (limit 4 h); w2 left one open, one withdrawn.
    assert (w1["counts"]["verifications_due"], w1["counts"]["verified_on_time"]) == (2, 1)
    assert w1["rates"]["on_time_verification_rate"] == 0.5
    assert (w2["counts"]["verifications_due"], w2["counts"]["verified_on_time"]) == (1, 0)
    assert w2["rates"]["on_time_verification_rate"] == 0.0
    # Checks: w2 in 2 h and 30 h (limit 24 h); w1 1 h after the second handling report.
    assert (w2["counts"]["checks"], w2["counts"]["checks_on_time"]) == (2, 1)
    assert w1["rates"]["on_time_check_rate"] == 1.0
    # The grid's filed matters on the list: E1, E5 (workers), E6, E7 (public); E6 repeated
    # w1's E1, E7 nobody reported: 1 missed of 4, for both workers of the grid.
    for row in (w1, w2):
        assert (row["counts"]["grid_found"], row["counts"]["missed"]) == (4, 1)
        assert row["rates"]["missed_rate"] == 0.25
    # Patrol: three planned places; w1 at two in October (three check-ins), w2 at one.
    assert (w1["counts"]["patrol_places"], w1["counts"]["patrol_visited"]) == (3, 2)
    assert w1["counts"]["patrol_check_ins"] == 3
    assert w1["rates"]["patrol_coverage"] == 0.6667
    assert w2["rates"]["patrol_coverage"] == 0.3333


def test_departments_on_known_events(story, leader):
    rows = by_id(report(leader, "departments"))
    squad, bureau = rows[story.squad.pk], rows[story.bureau.pk]
    # Squad: E1 handled an hour early, E6 a day late and reworked once; received E1, E5
    # (returned, pending) and E6 (after the bureau returned it).
    assert squad["rates"]["on_time_handling_rate"] == 0.5
    assert (squad["counts"]["due_to_close"], squad["counts"]["reworked"]) == (2, 1)
    assert squad["rates"]["rework_rate"] == 0.5
    assert (squad["counts"]["received"], squad["counts"]["returned"]) == (3, 1)
    assert squad["counts"]["returns_pending"] == 1
    assert squad["rates"]["return_rate"] == 0.3333
    assert squad["rates"]["buck_passing_rate"] == 0.0
    # Bureau: E7 past its deadline and open; received E6 and E7 twice; returned both, and
    # E7 came back to it: one return not upheld (推诿).
    assert (bureau["counts"]["handling_due"], bureau["counts"]["handled_on_time"]) == (1, 0)
    assert bureau["rates"]["rework_rate"] == 0.0
    assert (bureau["counts"]["received"], bureau["counts"]["returned"]) == (3, 2)
    assert bureau["counts"]["sent_back_again"] == 1
    assert bureau["rates"]["buck_passing_rate"] == 0.3333
    assert bureau["rates"]["return_rate"] == 0.6667


def test_dispatchers_on_known_events(story, leader):
    rows = by_id(report(leader, "dispatchers"))
    op1, op2 = rows[story.people["op1"].pk], rows[story.people["op2"].pk]
    # op1: E1 and E5 in time, E6 late; E6 returned and sent elsewhere (wrong), E5 pending.
    assert (op1["counts"]["first_dispatches"], op1["counts"]["first_on_time"]) == (3, 2)
    assert op1["rates"]["timely_dispatch_rate"] == 0.6667
    assert (op1["counts"]["wrong"], op1["counts"]["returns_pending"]) == (1, 1)
    assert (op1["counts"]["settled"], op1["counts"]["accurate"]) == (2, 1)
    assert op1["rates"]["accurate_dispatch_rate"] == 0.5
    # op2: first dispatch of E7 only (E6 and E7's second are re-dispatches); the bureau's
    # return of E7 was not upheld, so none of op2's dispatches was wrong.
    assert (op2["counts"]["dispatched"], op2["counts"]["first_dispatches"]) == (3, 1)
    assert op2["rates"]["timely_dispatch_rate"] == 1.0
    assert op2["rates"]["accurate_dispatch_rate"] == 1.0


def test_ranked_best_first_with_ties_and_empty_rows_last(story, district_staff):
    result = report(district_staff, "workers", area=WENHUI, sort="missed_rate")
    ranked = [(row["id"], row["rank"]) for row in result["rows"]]
    w1, w2 = story.people["w1"].pk, story.people["w2"].pk
    # Everyone working the grid shares its 0.25 (rank 1), the community's grid heads too (the
    # demo's lead all its grids); the community's other grids had no case: no value, no rank.
    assert {w1, w2} | workers_of_grid(WENHUI_GRID, WENHUI) == {
        pk for pk, rank in ranked if rank == 1
    }
    result = report(district_staff, "workers", area=WENHUI, sort="valid_report_rate")
    assert [row["id"] for row in result["rows"][:2]] == [w2, w1]
    assert [row["rank"] for row in result["rows"][:2]] == [1, 2]
    # Workers of the community without a report this month: no value, no rank, last.
    assert all(row["rank"] is None for row in result["rows"][2:])
    assert all(row["rates"]["valid_report_rate"] is None for row in result["rows"][2:])


def test_limit_keeps_the_best_and_says_how_many(story, district_staff):
    result = report(district_staff, "workers", area=WENHUI, limit=1)
    assert result["total"] >= 3
    assert [row["id"] for row in result["rows"]] == [story.people["w2"].pk]


# --- who reads what ------------------------------------------------------------------------


def test_other_community_sees_neither_the_workers_nor_the_cases(story, other_community_staff):
    workers = by_id(report(other_community_staff, "workers"))
    assert story.people["w1"].pk not in workers
    assert story.people["w2"].pk not in workers
    assert story.people["far"].pk in workers
    assert report(other_community_staff, "departments")["rows"] == []
    assert report(other_community_staff, "dispatchers")["rows"] == []
    with pytest.raises(OutOfScope):
        report(other_community_staff, "workers", area=WENHUI_GRID)


def test_a_grid_worker_sees_their_own_row_only_unranked(story):
    w1 = story.people["w1"]
    result = report(w1, "workers")
    assert [row["id"] for row in result["rows"]] == [w1.pk]
    assert result["rows"][0]["rank"] is None
    assert result["ranked"] is False
    for family in ("departments", "dispatchers"):
        with pytest.raises(PermissionDenied):
            report(w1, family)


def test_a_grid_head_sees_the_workers_of_their_grid(story):
    head = _persona("kpi_head", Role.GRID_HEAD, WENHUI_GRID)
    ids = set(by_id(report(head, "workers")))
    assert {story.people["w1"].pk, story.people["w2"].pk, head.pk} <= ids
    assert ids == workers_of_grid()
    with pytest.raises(PermissionDenied):
        report(head, "dispatchers")


def test_a_department_handler_sees_their_department_only(story, squad_handler):
    result = report(squad_handler, "departments")
    assert [row["id"] for row in result["rows"]] == [story.squad.pk]
    assert result["rows"][0]["rates"]["on_time_handling_rate"] == 0.5
    assert result["rows"][0]["rank"] is None
    for family in ("workers", "dispatchers"):
        with pytest.raises(PermissionDenied):
            report(squad_handler, family)


@pytest.mark.parametrize("persona", ["resident", "party_secretary", "service_provider"])
def test_roles_without_a_part_read_nothing(story, persona):
    user = {
        "resident": story.people["resident"],
        "party_secretary": _persona("kpi_party", Role.PARTY_SECRETARY, WENHUI),
        "service_provider": _persona("kpi_company", Role.SERVICE_PROVIDER, WENHUI),
    }[persona]
    for family in ("workers", "departments", "dispatchers"):
        with pytest.raises(PermissionDenied):
            report(user, family)


def test_staff_without_an_area_read_nothing(story):
    drifting = _persona("kpi_noarea", Role.LEADER, None)
    with pytest.raises(PermissionDenied):
        report(drifting, "workers")


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"since": UNTIL, "until": SINCE}, DomainError, "bad_period"),
        ({"since": SINCE.replace(year=2025), "until": UNTIL}, DomainError, "period_too_long"),
        ({"since": SINCE.replace(year=1999), "until": UNTIL.replace(year=1999)}, DomainError,
         "bad_period"),
        ({"until": UNTIL.replace(year=9999)}, DomainError, "bad_period"),
        ({"sort": "salary"}, DomainError, "bad_sort"),
        ({"area": "999999999"}, NotFound, "not_found"),
        ({"limit": 0}, DomainError, "invalid"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly(story, leader, kwargs, error, code):
    with pytest.raises(error) as refused:
        report(leader, "workers", **kwargs)
    assert refused.value.code == code


def test_other_months_are_not_counted(story, leader):
    september = kpis_report(
        user=leader, family="dispatchers", since=SINCE.replace(month=9, day=1),
        until=SINCE.replace(month=9, day=30), now=NOW,
    )  # fmt: skip
    rows = by_id(september)
    assert rows[story.people["op1"].pk]["counts"]["dispatched"] == 1
    assert story.people["op2"].pk not in rows


def test_queries_do_not_grow_with_people(story, leader, django_assert_max_num_queries):
    for family in ("workers", "departments", "dispatchers"):
        with django_assert_max_num_queries(12):
            report(leader, family)
    for i in range(30):
        _persona(f"kpi_more{i}", Role.GRID_WORKER, WENHUI_GRID)
    # Same number of queries with 30 more workers: one GROUP BY per figure, not per person.
    with django_assert_max_num_queries(12):
        assert report(leader, "workers")["total"] >= 32
