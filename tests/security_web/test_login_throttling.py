"""Login throttling (django-axes): per account and per address, in the site's login and the
back office's; the address from the trusted proxy header only; password validators."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.security_web.conftest import PASSWORD, with_password

pytestmark = pytest.mark.django_db

LOGIN_FORMS = ["/accounts/login/", "/admin/login/"]


def _sign_in(path: str, username: str, password: str, address: str = "203.0.113.5", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(path, {"username": username, "password": password})
    return client, response


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_forty_wrong_passwords_then_the_right_one_is_refused(path, operator):
    with_password(operator)
    for attempt in range(40):
        _sign_in(path, operator.username, f"guess-{attempt}")
    client, response = _sign_in(path, operator.username, PASSWORD, address="198.51.100.9")
    assert response.status_code == 429
    assert (
        "Too many failed sign-ins" in response.content.decode()
        or "登录" in response.content.decode()
    )
    assert not _signed_in(client)


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_the_right_password_signs_in_before_the_limit(path, operator):
    with_password(operator)
    for attempt in range(3):
        _sign_in(path, operator.username, f"guess-{attempt}")
    client, response = _sign_in(path, operator.username, PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_one_address_guessing_many_accounts_is_blocked_for_every_account(operator, community_staff):
    with_password(community_staff)
    for attempt in range(12):
        _sign_in("/accounts/login/", f"nobody-{attempt}", "guess", address="203.0.113.66")
    client, response = _sign_in(
        "/accounts/login/", community_staff.username, PASSWORD, address="203.0.113.66"
    )
    assert response.status_code == 429
    assert not _signed_in(client)
    # The same person from another address is not blocked: the address was, not the account.
    client, response = _sign_in(
        "/accounts/login/", community_staff.username, PASSWORD, address="203.0.113.67"
    )
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_address_is_read_from_the_trusted_proxy_header_only(settings, community_staff):
    settings.GRIDGOV_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.GRIDGOV_TRUSTED_PROXIES = 1
    with_password(community_staff)
    # Behind the proxy every request comes from the proxy; the attacker varies the left-most
    # entry (which it writes itself), our proxy appends the real address on the right.
    for attempt in range(12):
        _sign_in(
            "/accounts/login/",
            f"nobody-{attempt}",
            "guess",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.80",
        )
    client, response = _sign_in(
        "/accounts/login/",
        community_staff.username,
        PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.80",
    )
    assert response.status_code == 429
    # Another client behind the same proxy is not blocked.
    client, response = _sign_in(
        "/accounts/login/",
        community_staff.username,
        PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.81",
    )
    assert response.status_code == 302


def test_a_locked_out_api_client_gets_the_error_shape(operator):
    with_password(operator)
    for attempt in range(12):
        _sign_in("/accounts/login/", operator.username, f"guess-{attempt}")
    _client, response = _sign_in(
        "/accounts/login/", operator.username, PASSWORD, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert set(response.json()) == {"code", "message", "field"}


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("t_operator1", "too similar to the username"),
        ("48213957604", "entirely numeric"),
        ("password123", "too common"),
        ("Gx7!kq", "too short"),
    ],
)
def test_weak_passwords_are_refused(operator, password, why):
    with pytest.raises(ValidationError):
        validate_password(password, user=operator)


def test_a_strong_password_is_accepted(operator):
    validate_password("Lijiang-grid-2024!", user=operator)
