"""A department's duty phone is a phone: it is shown on pages and in the worker app."""

import pytest

from gridgov.areas.models import Department
from tests.backoffice.conftest import signed_in
from tests.conftest import WENHUI


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phone", "stored"),
    [('"onclick=alert(1) x="', False), ("<b>12319</b>", False), ("0888-5123456", True)],
)
def test_a_duty_phone_with_markup_is_refused(community_staff, phone, stored):
    from gridgov.areas.models import Area

    area = Area.objects.get(code=WENHUI)
    response = signed_in(community_staff).post(
        "/admin/areas/department/add/",
        {"name": "文汇社区服务站", "sector": "环卫", "area": area.pk, "phone": phone},
    )
    assert Department.objects.filter(name="文汇社区服务站").exists() is stored
    assert response.status_code == (302 if stored else 200)


@pytest.mark.parametrize("phone", ["12319", "0888-5123456", "13908881234", "+86 139 0888 1234"])
def test_real_duty_phones_pass(phone):
    from gridgov.areas.models import duty_phone_validator

    duty_phone_validator(phone)
