"""TOTP two-factor sign-in: required of superusers and district staff when
GRIDGOV_REQUIRE_2FA is on (tests switch it on), optional for everyone else."""

import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security_web.conftest import PASSWORD, with_password

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.GRIDGOV_REQUIRE_2FA = True


def _password_step(user, path: str = "/accounts/login/") -> Client:
    with_password(user)
    client = Client()
    response = client.post(path, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + later * device.step
    return f"{totp.token():06d}"


@pytest.mark.parametrize("persona", ["admin_user", "operator", "district_staff"])
@pytest.mark.parametrize("page", ["/admin/", "/map/", "/events/"])
def test_superusers_and_district_staff_must_pass_the_second_step(request, persona, page):
    client = _password_step(request.getfixturevalue(persona))
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


def test_the_api_refuses_a_session_without_the_second_step(operator):
    client = _password_step(operator)
    response = client.get("/api/v1/events/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_the_back_office_login_leads_to_the_second_step_too(admin_user):
    client = _password_step(admin_user, "/admin/login/")
    assert client.get("/admin/").status_code == 302


def test_enrolment_shows_the_otpauth_address_and_a_qr_code_then_a_code_lets_in(operator):
    client = _password_step(operator)
    page = client.get("/accounts/2fa/?next=/events/").content.decode()
    uri = unquote(re.search(r'id="otpauth-uri">([^<]+)<', page).group(1))
    assert uri.startswith("otpauth://totp/gridgov:t_operator?secret=")
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=operator)
    assert not device.confirmed

    response = client.post("/accounts/2fa/", {"token": _code(device), "next": "/events/"})
    assert response.status_code == 302
    assert response["Location"] == "/events/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/events/").status_code == 200


def test_a_wrong_code_changes_nothing(operator):
    client = _password_step(operator)
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=operator)
    response = client.post(
        "/accounts/2fa/", {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/map/").status_code == 302


def test_an_enrolled_user_is_asked_for_a_code_at_each_sign_in(operator):
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client = _password_step(operator)
    page = client.get("/accounts/2fa/").content.decode()
    assert "otpauth://" not in page  # the secret is shown only while enrolling
    assert client.post("/accounts/2fa/", {"token": _code(device)}).status_code == 302
    assert client.get("/map/").status_code == 200
    # An open redirect through `next` is refused.
    other = _password_step(operator)
    response = other.post(
        "/accounts/2fa/", {"token": _code(device, later=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_community_staff_may_go_without_and_may_enrol(community_staff):
    client = _password_step(community_staff)
    assert client.get("/map/").status_code == 200
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=community_staff)
    assert client.post("/accounts/2fa/", {"token": _code(device)}).status_code == 302
    # From now on the second step is asked of them too.
    again = _password_step(community_staff)
    assert again.get("/map/").status_code == 302


def test_off_when_the_deployment_does_not_require_it(settings, admin_user):
    settings.GRIDGOV_REQUIRE_2FA = False
    client = _password_step(admin_user)
    assert client.get("/admin/").status_code == 200


def test_staff_sessions_end_with_the_browser_and_within_hours(settings, community_staff):
    client = _password_step(community_staff)
    client.get("/map/")
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() <= 8 * 3600
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
