"""The demo's three zones, as the seed names them (古城区把街道划分为三个考核分区)."""

import pytest

from gridgov.assessment.models import Zone
from gridgov.demo.assessment import build_zones

pytestmark = pytest.mark.django_db


def test_the_seeds_three_zones(admin_user):
    assert build_zones(admin_user) == 3
    assert build_zones(admin_user) == 0  # idempotent
    zones = {
        zone.name: sorted(zone.streets.values_list("street__name", flat=True))
        for zone in Zone.objects.filter(root__code="530702")
    }
    assert zones == {
        "古城保护和旅游管理": ["大研街道", "束河街道"],
        "城市治理服务": ["祥和街道", "西安街道", "金山街道"],
        "改善民生和提升人居环境": ["开南街道", "文化街道"],
    }
    for zone in Zone.objects.all():
        assert zone.indicators.count() >= 5
        assert sum(i.weight for i in zone.indicators.all()) == 100
