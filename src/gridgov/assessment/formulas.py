"""The arithmetic of the assessment, pure and small, as assessment/FORMULAS.md writes it.

- An indicator's score: 100 × (value − baseline) ÷ (target − baseline), kept within 0…100.
  The target scores 100 and the baseline 0; a lower-is-better indicator (rework) simply has
  its target below its baseline.
- A combined score: the weighted mean of the scores of the indicators that have a value
  (an indicator without data — no events due, no campaign in the year — is shown as such
  and left out, the other weights then count in proportion), rounded half up to 0.1.
- Points lost by an indicator: its share of the weights × (100 − its score); the indicators
  "pulling down" a result are those below 100, the most points lost first.
- A grade: the first band whose lower bound the score reaches.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# STANDARDS.md: A 90–100, B 75–90, C 60–75, D 40–60, E < 40. Communities A/B/C like the
# Party's grading of organizations (A 85 or more, C under 60: party/grading.py).
DEFAULT_SCHEME: dict[str, Any] = {
    "street_grades": [["A", 90], ["B", 75], ["C", 60], ["D", 40], ["E", 0]],
    "community_grades": [["A", 85], ["B", 60], ["C", 0]],
    # The department's assessment by the streets that summoned it (decision 0035).
    "department_weights": {"check_in": 0.3, "report_back": 0.3, "rating": 0.4},
}
DEPARTMENT_PARTS = ("check_in", "report_back", "rating")
# A rating's points: good 100, adequate 60, poor 0 (events/whistle_chain.ratings_summary).
RATING_POINTS = {"good": 100, "adequate": 60, "poor": 0}


def indicator_score(value: float | None, target: float, baseline: float) -> float | None:
    if value is None:
        return None
    share = (value - baseline) / (target - baseline)
    return 100.0 * min(max(share, 0.0), 1.0)


def round_score(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def combine(lines: list[dict[str, Any]]) -> tuple[Decimal | None, list[str]]:
    """The combined score of scored lines ({key, weight, score}) and the keys pulling it
    down; each line gets its `lost` points (None without data)."""
    counted = [line for line in lines if line["score"] is not None]
    total_weight = sum(float(line["weight"]) for line in counted)
    for line in lines:
        line["lost"] = None
    if not counted or total_weight <= 0:
        return None, []
    weighted = sum(float(line["weight"]) * line["score"] for line in counted)
    for line in counted:
        line["lost"] = round(float(line["weight"]) / total_weight * (100.0 - line["score"]), 2)
    below = sorted(
        (line for line in counted if line["score"] < 100.0), key=lambda line: -line["lost"]
    )
    return round_score(weighted / total_weight), [line["key"] for line in below]


def grade_for(score: Decimal | None, bands: list[list]) -> str:
    if score is None:
        return ""
    for grade, lower in bands:
        if score >= Decimal(str(lower)):
            return str(grade)
    return str(bands[-1][0])


def ranks(scores: dict[Any, Decimal | None]) -> dict[Any, int | None]:
    """Competition ranking (1, 1, 3) by score, highest first; no score, no rank."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    return {key: (ordered.index(s) + 1 if s is not None else None) for key, s in scores.items()}


def department_score(figures: dict[str, Any], weights: dict[str, float]) -> Decimal | None:
    """Weighted mean of the department's parts that have data (each 0…100)."""
    parts = [(float(weights.get(p, 0)), figures.get(p)) for p in DEPARTMENT_PARTS]
    counted = [(w, v) for w, v in parts if v is not None and w > 0]
    total = sum(w for w, _v in counted)
    if not counted or total <= 0:
        return None
    return round_score(sum(w * v for w, v in counted) / total)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None
