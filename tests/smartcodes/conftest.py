import pytest

from gridgov.registry.services import record_create


@pytest.fixture
def places(community_staff, wenhui_point):
    lon, lat = wenhui_point
    shop = record_create(
        user=community_staff,
        kind_key="businesses",
        data={
            "name": "纳西银器店",
            "kind": "shop",
            "credit_code": "92530702MA6K12345X",
            "operator_name": "和丽华",
            "operator_phone": "13908881234",
            "lon": lon,
            "lat": lat,
            "address": "文汇路1号",
        },
    )
    rental = record_create(
        user=community_staff,
        kind_key="rentals",
        data={
            "landlord_name": "木强",
            "landlord_phone": "13987654321",
            "tenants": 3,
            "lon": lon,
            "lat": lat,
            "address": "文汇路9号2单元301",
        },
    )
    return shop, rental
