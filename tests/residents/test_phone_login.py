"""Sign-in by phone with an SMS code (issue 11): hashed codes that expire and are spent by
wrong tries, one live code per phone, rate limits, the SMS channel or (embedded default)
the console and the inbox, and never a staff account."""

# ruff: noqa: F811 (the fixtures imported from telling_helpers are used as arguments)

import datetime as dt
import json
import logging
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.notifications.models import Notification
from gridgov.residents.identity import username_for_phone
from gridgov.residents.models import PhoneCode
from gridgov.residents.phone_login import code_hash
from tests.residents.telling_helpers import _fresh_limits, gateway, sms  # noqa: F401

CODE_URL = "/api/v1/resident/phone-code"
LOGIN_URL = "/api/v1/resident/phone-login"
PHONE = "13712345678"


def _post(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _code_from_log(caplog) -> str:
    (line,) = [r.getMessage() for r in caplog.records if "sign-in code" in r.getMessage()]
    return re.search(r"\b(\d{6})\b", line).group(1)


@pytest.mark.django_db
def test_embedded_default_code_in_the_console_and_inbox_then_sign_in(client, caplog):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    answer = _post(client, CODE_URL, {"phone": "137 1234 5678"})
    assert answer.status_code == 202, answer.content
    assert answer.json() == {"expires_in": 300}
    code = _code_from_log(caplog)
    assert PHONE not in caplog.text  # the phone is masked in the log
    # No account is made for a code sent, only for a code verified: so no inbox yet.
    assert not User.objects.filter(username=username_for_phone(PHONE)).exists()
    assert not Notification.objects.filter(kind="resident_code").exists()
    stored = PhoneCode.objects.get(phone=PHONE)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64

    answer = _post(client, LOGIN_URL, {"phone": PHONE, "code": code})
    assert answer.status_code == 200, answer.content
    account = User.objects.get(username=username_for_phone(PHONE))
    assert answer.json() == {"username": account.username, "role": "resident", "next": "/r/"}
    assert client.get("/api/v1/resident/reports").status_code == 200  # signed in
    # Spent: the same code never signs in again.
    other = Client()
    assert _post(other, LOGIN_URL, {"phone": PHONE, "code": code}).status_code == 400


@pytest.mark.django_db
def test_first_sign_in_creates_the_resident_account(client):
    PhoneCode.objects.create(
        phone=PHONE,
        code_hash=code_hash(PHONE, "123456"),
        expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert not User.objects.filter(phone=PHONE).exists()
    answer = _post(client, LOGIN_URL, {"phone": PHONE, "code": "123456"})
    assert answer.status_code == 200
    user = User.objects.get(username=username_for_phone(PHONE))
    assert (user.role, user.phone, user.has_usable_password()) == ("resident", PHONE, False)


@pytest.mark.django_db
def test_through_the_sms_channel_at_once_and_nowhere_else(client, sms, gateway, caplog):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    assert _post(client, CODE_URL, {"phone": PHONE}).status_code == 202
    ((path, body, _headers),) = gateway.received
    assert (path, body["phone"]) == ("/sms", PHONE)
    code = re.search(r"\b(\d{6})\b", body["text"]).group(1)
    assert "sign-in code" not in caplog.text  # not in the log
    assert not Notification.objects.filter(kind="resident_code").exists()  # nor an inbox
    assert _post(client, LOGIN_URL, {"phone": PHONE, "code": code}).status_code == 200


@pytest.mark.django_db
def test_a_gateway_that_fails_is_said_and_the_person_may_retry(client, sms, gateway):
    gateway.answers = [(500, {})]
    answer = _post(client, CODE_URL, {"phone": PHONE})
    assert answer.status_code == 503
    assert answer.json()["code"] == "sms_unavailable"


def _code(client, caplog) -> str:
    caplog.clear()
    assert _post(client, CODE_URL, {"phone": PHONE}).status_code == 202
    return _code_from_log(caplog)


@pytest.mark.django_db
def test_wrong_tries_spend_the_code(client, caplog, settings):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    settings.GRIDGOV_PHONE_CODE_TRIES = 3
    code = _code(client, caplog)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(3):
        answer = _post(client, LOGIN_URL, {"phone": PHONE, "code": wrong})
        assert answer.status_code == 400
        assert answer.json()["code"] == "bad_code"
    assert PhoneCode.objects.get(phone=PHONE).attempts == 3
    answer = _post(client, LOGIN_URL, {"phone": PHONE, "code": code})
    assert answer.status_code == 400  # the right code, too late
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_expired_code_and_a_replaced_code_are_refused(client, caplog):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    code = _code(client, caplog)
    PhoneCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _post(client, LOGIN_URL, {"phone": PHONE, "code": code}).status_code == 400

    from django.core.cache import cache

    cache.clear()  # past the one-a-minute limit
    first = _code(client, caplog)
    cache.clear()
    second = _code(client, caplog)
    assert PhoneCode.objects.filter(phone=PHONE, used_at__isnull=True).count() == 1
    if first != second:
        assert _post(client, LOGIN_URL, {"phone": PHONE, "code": first}).status_code == 400
    assert _post(client, LOGIN_URL, {"phone": PHONE, "code": second}).status_code == 200


@pytest.mark.django_db
def test_rate_limits_per_phone_and_per_address(client, settings):
    assert _post(client, CODE_URL, {"phone": PHONE}).status_code == 202
    answer = _post(client, CODE_URL, {"phone": PHONE})
    assert answer.status_code == 429  # one a minute per phone
    assert answer.json()["code"] == "rate_limited"
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1
    settings.GRIDGOV_PHONE_CODES_PER_IP = "3/h"
    statuses = [_post(client, CODE_URL, {"phone": f"1371234560{i}"}).status_code for i in range(4)]
    assert statuses == [202, 202, 202, 429]
    assert not PhoneCode.objects.filter(phone="13712345603").exists()


@pytest.mark.django_db
def test_staff_never_sign_in_by_code(client, operator):
    User.objects.filter(pk=operator.pk).update(phone=PHONE)
    answer = _post(client, CODE_URL, {"phone": PHONE})
    assert answer.status_code == 403
    assert answer.json()["code"] == "staff_phone"
    assert not PhoneCode.objects.exists()
    PhoneCode.objects.create(
        phone=PHONE,
        code_hash=code_hash(PHONE, "111111"),
        expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    answer = _post(client, LOGIN_URL, {"phone": PHONE, "code": "111111"})
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username=username_for_phone(PHONE)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["0888-5123456", "+44 20 7946 0958", "abc", "1371234567"])
def test_only_a_mainland_mobile_gets_a_code(client, phone):
    answer = _post(client, CODE_URL, {"phone": phone})
    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("bad_phone", "phone")
    assert not PhoneCode.objects.exists()


@pytest.mark.django_db
def test_sign_in_checks_csrf(caplog):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    client = Client(enforce_csrf_checks=True)
    code = _code(client, caplog)
    answer = _post(client, LOGIN_URL, {"phone": PHONE, "code": code})
    assert answer.status_code == 403
    assert answer.json()["code"] == "csrf"


@pytest.mark.django_db
def test_an_existing_account_gets_the_code_in_its_inbox_until_it_signs_in(client, caplog):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    account = User.objects.create(username=username_for_phone(PHONE), phone=PHONE)
    Notification.objects.create(user=account, kind="other", text="kept")
    code = _code(client, caplog)
    (message,) = Notification.objects.filter(user=account, kind="resident_code")
    assert code in message.text
    assert _post(client, LOGIN_URL, {"phone": PHONE, "code": code}).status_code == 200
    # Signed in: the sign-in codes leave the inbox; other messages stay.
    assert list(Notification.objects.filter(user=account).values_list("kind", flat=True)) == [
        "other"
    ]


FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


@pytest.mark.django_db
def test_full_width_digits_are_the_same_phone(client, caplog, operator):
    caplog.set_level(logging.WARNING, logger="gridgov.residents")
    staff_phone = "16063005161"
    User.objects.filter(pk=operator.pk).update(phone=staff_phone)
    for given in ("1606300516１", staff_phone.translate(FULL_WIDTH), "＋86 160-6300-5161"):
        answer = _post(client, CODE_URL, {"phone": given})
        assert answer.status_code == 403, given
        assert answer.json()["code"] == "staff_phone"
        answer = _post(client, LOGIN_URL, {"phone": given, "code": "123456"})
        assert answer.status_code == 403, given
    assert not PhoneCode.objects.exists()
    assert not User.objects.filter(username=username_for_phone(staff_phone)).exists()
    # A resident's full-width phone is the ASCII phone: one code, one limit, one account.
    code = _code(client, caplog)
    answer = _post(client, CODE_URL, {"phone": PHONE.translate(FULL_WIDTH)})
    assert answer.status_code == 429  # the same phone's once-a-minute limit
    answer = _post(client, LOGIN_URL, {"phone": PHONE.translate(FULL_WIDTH), "code": code})
    assert answer.status_code == 200, answer.content
    assert User.objects.get(username=username_for_phone(PHONE)).phone == PHONE
    assert set(PhoneCode.objects.values_list("phone", flat=True)) == {PHONE}


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["١٣٧١٢٣٤٥٦٧٨", "1371234567８9", "13712345678\n"])
def test_other_scripts_digits_are_not_a_mobile(client, phone):
    answer = _post(client, CODE_URL, {"phone": phone})
    assert answer.status_code in (202, 400)
    if phone.strip() == PHONE:  # a trailing newline is only a separator
        assert answer.status_code == 202
    else:
        assert answer.status_code == 400
    assert set(PhoneCode.objects.values_list("phone", flat=True)) <= {PHONE}
