"""The assessment's arithmetic, by hand."""

from decimal import Decimal

import pytest

from gridgov.assessment.formulas import (
    DEFAULT_SCHEME,
    combine,
    department_score,
    grade_for,
    indicator_score,
    ranks,
    round_score,
)


@pytest.mark.parametrize(
    ("value", "target", "baseline", "score"),
    [
        (80, 90, 50, 75.0),
        (95, 90, 50, 100.0),  # above the target: 100, not more
        (40, 90, 50, 0.0),  # below the baseline: 0, not less
        (11, 2, 20, 50.0),  # lower is better
        (25, 2, 20, 0.0),
        (0, 2, 20, 100.0),
        (None, 90, 50, None),
    ],
)
def test_indicator_score(value, target, baseline, score):
    assert indicator_score(value, target, baseline) == score


def test_round_half_up():
    assert round_score(64.25) == Decimal("64.3")
    assert round_score(59.94) == Decimal("59.9")
    assert round_score(59.95) == Decimal("60.0")


def test_combine_leaves_out_indicators_without_data():
    lines = [
        {"key": "a", "weight": "30", "score": 50.0},
        {"key": "b", "weight": "10", "score": 100.0},
        {"key": "c", "weight": "60", "score": None},
    ]
    score, down = combine(lines)
    # (30 × 50 + 10 × 100) / 40 = 62.5; a loses 30/40 × 50 = 37.5 points.
    assert score == Decimal("62.5")
    assert down == ["a"]
    assert [line["lost"] for line in lines] == [37.5, 0.0, None]
    assert combine([{"key": "c", "weight": "1", "score": None}]) == (None, [])


@pytest.mark.parametrize(
    ("score", "street", "community"),
    [
        ("100.0", "A", "A"),
        ("90.0", "A", "A"),
        ("89.9", "B", "A"),
        ("85.0", "B", "A"),
        ("75.0", "B", "B"),
        ("60.0", "C", "B"),
        ("59.9", "D", "C"),
        ("40.0", "D", "C"),
        ("39.9", "E", "C"),
        ("0.0", "E", "C"),
    ],
)
def test_grade_bands(score, street, community):
    assert grade_for(Decimal(score), DEFAULT_SCHEME["street_grades"]) == street
    assert grade_for(Decimal(score), DEFAULT_SCHEME["community_grades"]) == community
    assert grade_for(None, DEFAULT_SCHEME["street_grades"]) == ""


def test_ranks_share_places_on_equal_scores():
    scores = {"a": Decimal("80"), "b": Decimal("90"), "c": Decimal("80"), "d": None}
    assert ranks(scores) == {"a": 2, "b": 1, "c": 2, "d": None}


def test_department_score_reweights_missing_parts():
    weights = {"check_in": 0.3, "report_back": 0.3, "rating": 0.4}
    assert department_score({"check_in": 50, "report_back": 0, "rating": 100}, weights) == Decimal(
        "55.0"
    )
    # Not rated: (0.3 × 50 + 0.3 × 100) / 0.6 = 75.
    assert department_score(
        {"check_in": 50, "report_back": 100, "rating": None}, weights
    ) == Decimal("75.0")
    assert (
        department_score({"check_in": None, "report_back": None, "rating": None}, weights) is None
    )
