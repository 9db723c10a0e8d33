"""A small known district for the assessment: test indicators whose values are fixed per
area code (registered like any plug-in), zones of Gucheng's streets set through the
services, and the personas of the other test folders."""

import pytest

from gridgov.assessment import indicators
from gridgov.assessment.services import indicator_save, zone_save
from tests.events.conftest import (
    bureau_handler,
    district_bureau,
    leader,
    squad_handler,
    street_squad,
    street_staff,
)

__all__ = [
    "bureau_handler",
    "district_bureau",
    "leader",
    "squad_handler",
    "street_squad",
    "street_staff",
]

DISTRICT = "530702"
XIAN, DAYAN, XIANGHE, SHUHE = "530702001", "530702002", "530702003", "530702004"
JINJIA, WENHUI = "530702001001", "530702001002"

# The known district's values: indicator -> area code -> value (absent: no data).
VALUES: dict[str, dict[str, float]] = {
    "t_a": {DAYAN: 80, SHUHE: 95, XIAN: 77.7, JINJIA: 90, WENHUI: 59.94},
    "t_b": {DAYAN: 11, SHUHE: 1},
    "t_c": {},
}


@pytest.fixture
def known_indicators():
    for key in VALUES:
        indicators.indicator_register(
            key,
            f"test {key}",
            "%",
            lambda area, since, until, key=key: VALUES[key].get(area.code),
            formula=f"fixed values of {key}",
        )
    yield VALUES
    for key in VALUES:
        indicators.REGISTRY.pop(key, None)


@pytest.fixture
def known_rules(admin_user, known_indicators):
    """Old town (大研, 束河): t_a weight 60 target 90 baseline 50, t_b weight 40 target 2
    baseline 20 (lower is better). Governance (西安): t_a weight 1 target 100 baseline 0,
    t_c weight 3 (no data anywhere)."""
    old = zone_save(user=admin_user, root_code=DISTRICT, name="老城", street_codes=[DAYAN, SHUHE])
    indicator_save(user=admin_user, zone_id=old.pk, key="t_a", weight=60, target=90, baseline=50)
    indicator_save(user=admin_user, zone_id=old.pk, key="t_b", weight=40, target=2, baseline=20)
    gov = zone_save(user=admin_user, root_code=DISTRICT, name="治理", street_codes=[XIAN])
    indicator_save(user=admin_user, zone_id=gov.pk, key="t_a", weight=1, target=100, baseline=0)
    indicator_save(user=admin_user, zone_id=gov.pk, key="t_c", weight=3, target=100, baseline=0)
    return {"old": old, "gov": gov}
