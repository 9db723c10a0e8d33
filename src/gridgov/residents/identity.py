"""Who a phone number is, on the resident's side: the resident account that stands for a
Chinese mobile, so that a report given with only a phone can be told (inbox, SMS) and the
person can later sign in by an SMS code and find it.

One account per phone: its username is derived from the phone by a keyed hash (the unique
username decides when two requests create it at once), never the phone itself (usernames
are shown and sent to webhooks). It has no usable password: it signs in by code only.
A phone a staff account holds is never given a resident account nor attached to reports:
staff sign in with their password (and second factor) only.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
USERNAME_PREFIX = "m"


def phone_normalized(raw: object) -> str:
    """`raw` in its compatibility form (NFKC: full-width digits, plus and spaces become
    ASCII) without spaces, dashes and brackets; the form every phone check compares."""
    value = unicodedata.normalize("NFKC", str(raw or ""))
    return re.sub(r"[\s\-()]", "", value)


def mobile_or_none(raw: object) -> str | None:
    """The 11-digit mainland mobile in `raw` (normalised by `phone_normalized`, a +86/0086
    prefix dropped), or None for anything else (a landline, a foreign number, free text,
    digits of other scripts): only ASCII digits ever come out."""
    value = phone_normalized(raw)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value if _MOBILE.fullmatch(value) else None


def username_for_phone(phone: str) -> str:
    """A stable username for the phone's account that does not show the phone."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"phone:{phone}".encode(), hashlib.sha256)
    return f"{USERNAME_PREFIX}{digest.hexdigest()[:12]}"


def _staff_q() -> Q:
    return Q(is_staff=True) | Q(is_superuser=True) | ~Q(role=Role.RESIDENT)


def _key(phone: str) -> str:
    return mobile_or_none(phone) or phone_normalized(phone)


def phone_is_staff(phone: str) -> bool:
    """A staff account (any role but resident, the staff flag, a superuser) holds the phone."""
    phone = _key(phone)
    return User.objects.filter(_staff_q(), phone=phone).exists()


def resident_for_phone(phone: str) -> User | None:
    """The resident account of a phone if there is one (the derived one first, else the
    oldest resident who gave that phone); None when a staff account holds the phone."""
    phone = _key(phone)
    if phone_is_staff(phone):
        return None
    return (
        User.objects.filter(username=username_for_phone(phone)).exclude(_staff_q()).first()
        or User.objects.filter(phone=phone).exclude(_staff_q()).order_by("pk").first()
    )


def resident_for_phone_get_or_create(phone: str) -> User | None:
    """The resident account of a mobile, created on first use (no usable password, the
    phone on it for SMS). None when a staff account holds the phone. Precondition: `phone`
    is a mobile as `mobile_or_none` returns it (normalised again here all the same)."""
    phone = _key(phone)
    existing = resident_for_phone(phone)
    if existing is not None or phone_is_staff(phone):
        return existing
    user = User(username=username_for_phone(phone), role=Role.RESIDENT, phone=phone)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request created it a moment ago (the username is unique).
        return User.objects.filter(username=username_for_phone(phone)).first()
    return user
