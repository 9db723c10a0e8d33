"""The authorization matrix's calls for one part of issue 11 (rows in
authorization_matrix_telling.csv). Same shape as calls.CALLS."""

import datetime as dt

from django.utils import timezone

from gridgov.residents.identity import username_for_phone
from gridgov.residents.models import PhoneCode
from gridgov.residents.phone_login import code_hash
from tests.security.calls import API, Builder, Call
from tests.security.world import World

R = f"{API}/resident"
FRESH_PHONE = "13700000123"  # no account of the world has it
CODE = "246810"


def _live_code(phone: str) -> None:
    """A live sign-in code CODE for `phone` (the world's cells are rolled back: it stays)."""
    PhoneCode.objects.filter(phone=phone).delete()
    PhoneCode.objects.create(
        phone=phone,
        code_hash=code_hash(phone, CODE),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )


def _login(w: World, phone: str) -> Call:
    _live_code(phone)
    return Call(
        "POST", f"{R}/phone-login", {"phone": phone, "code": CODE}, marker=username_for_phone(phone)
    )


def _lookup(w: World, phone: str) -> Call:
    number = w["reported"].number
    return Call("POST", f"{R}/lookup", {"number": number, "phone": phone}, marker=number)


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("POST", f"{R}/phone-code", ""): lambda w: Call(
        "POST", f"{R}/phone-code", {"phone": FRESH_PHONE}, write=True
    ),
    ("POST", f"{R}/phone-code", "staff_phone"): lambda w: Call(
        "POST", f"{R}/phone-code", {"phone": w.users["grid_worker"].phone}, write=True
    ),
    ("POST", f"{R}/phone-login", ""): lambda w: _login(w, FRESH_PHONE),
    ("POST", f"{R}/phone-login", "staff_phone"): lambda w: _login(w, w.users["grid_worker"].phone),
    ("POST", f"{R}/lookup", ""): lambda w: _lookup(w, w.users["reporter"].phone),
    ("POST", f"{R}/lookup", "wrong_phone"): lambda w: _lookup(w, "13700000999"),
    ("GET", f"{R}/reports", ""): lambda w: Call("GET", f"{R}/reports", marker=w["reported"].number),
    ("GET", f"{R}/reports/{{number}}", ""): lambda w: Call(
        "GET", f"{R}/reports/{w['reported'].number}", marker=w["reported"].number
    ),
}
