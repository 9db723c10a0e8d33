"""The public side of a code: policies (服务码) and returnee registration (登记码), with no
personal data shown to anyone who scans, masked and audited for staff."""

import re
import uuid

import pytest
from django.test import Client

from gridgov.accounts.models import PiiAccess
from gridgov.areas.models import Area
from gridgov.smartcodes.models import Policy, Registration, SmartCode
from gridgov.smartcodes.services import code_revoke, codes_issue
from tests.conftest import WENHUI
from tests.registry.factories import id_number

PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def _form(**extra) -> dict:
    return {
        "op": "register",
        "client_uuid": str(uuid.uuid4()),
        "name": "和志强",
        "id_number": id_number(),
        "phone": "13988887777",
        "came_from": "昆明市",
        "arrived_on": "2026-11-20",
        "address": "文汇路9号2单元301",
        **extra,
    }


@pytest.mark.django_db
def test_policies_and_registration_once_without_showing_personal_data(community_staff, places):
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    Policy.objects.create(
        area=Area.objects.get(code="530702"), title="个体工商户减税政策", body="…"
    )
    Policy.objects.create(
        area=Area.objects.get(code=WENHUI), title="出租房屋登记须知", body="…", applies_to="rentals"
    )
    anyone = Client()
    page = anyone.get(f"/c/{code.token}/").content.decode()
    assert "个体工商户减税政策" in page  # district policy for every place
    assert "出租房屋登记须知" not in page  # only on rental houses
    assert 'id="register-form"' in page

    form = _form()
    anyone.post(f"/c/{code.token}/", form)
    anyone.post(f"/c/{code.token}/", form)  # a double tap
    assert Registration.objects.count() == 1
    valid = id_number()
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")  # one mistyped check digit
    bad = anyone.post(f"/c/{code.token}/", _form(id_number=wrong), follow=True).content.decode()
    assert 'class="flash flash-error"' in bad
    assert wrong not in bad  # the error does not echo the number back
    assert Registration.objects.count() == 1
    after = anyone.get(f"/c/{code.token}/").content.decode()
    assert not PHONE.search(after)
    assert not ID_NUMBER.search(after)
    assert "和志强" not in after

    code_revoke(user=community_staff, token=code.token)
    anyone.post(f"/c/{code.token}/", _form())
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_staff_see_registrations_masked_or_audited(community_staff, operator, places):
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="businesses")
    Client().post(f"/c/{code.token}/", _form())
    registration = Registration.objects.get()
    url = f"/admin/smartcodes/registration/{registration.pk}/change/"

    masked = Client()
    masked.force_login(operator)  # the center sees the district, masked
    listing = masked.get("/admin/smartcodes/registration/").content.decode()
    assert "13988887777" not in listing
    assert "139****7777" in listing
    detail = masked.get(url).content.decode()
    assert registration.id_number not in detail
    assert not PiiAccess.objects.exists()

    staff = Client()
    staff.force_login(community_staff)  # the community's staff need it, and are recorded
    assert registration.id_number in staff.get(url).content.decode()
    access = PiiAccess.objects.get()
    assert access.user == community_staff
    assert access.object_ids == [registration.pk]


@pytest.mark.django_db
def test_a_campaign_point_carries_a_code_like_any_place(community_staff, wenhui_point):
    from gridgov.registry.services import record_create

    point = record_create(
        user=community_staff,
        kind_key="points",
        data={
            "name": "文汇社区返乡人员登记点",
            "purpose": "registration",
            "contact_phone": "13911112222",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
        },
    )
    codes_issue(user=community_staff, root_code=WENHUI)
    code = SmartCode.objects.get(kind="points", object_id=point.pk)
    page = Client().get(f"/c/{code.token}/").content.decode()
    assert "文汇社区返乡人员登记点" in page
    assert 'id="register-form"' in page
    assert "13911112222" not in page  # the contact's phone stays private
    Client().post(f"/c/{code.token}/", _form())
    assert Registration.objects.get().code == code
