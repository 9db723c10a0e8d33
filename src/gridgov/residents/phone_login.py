"""Sign-in by phone with an SMS code (issue 11): a resident gives a mobile, gets a six-digit
code, and with it signs in to the resident account of that phone (created on first use).

Only a keyed hash of a code is kept (PhoneCode). A code lives GRIDGOV_PHONE_CODE_SECONDS;
GRIDGOV_PHONE_CODE_TRIES wrong tries spend it; a new code replaces the phone's live one
(only the newest is ever checked). The code goes out through the active SMS channel that
carries "resident_code" at once (a sign-in code cannot wait for the retry schedule), else —
the embedded default without a gateway — to the log (logger "gridgov.residents", shown in
the `make run` console) and to the inbox of the phone's account if it exists (an account
is created only when a code is verified). It never goes through
webhooks or the delivery queue. Staff accounts never sign in this way: their phones are
refused before any code is made.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.notifications.channels import DeliveryError, send_sms
from gridgov.notifications.models import Channel, Notification
from gridgov.registry.pii import mask_phone
from gridgov.residents.identity import (
    mobile_or_none,
    phone_is_staff,
    resident_for_phone,
    resident_for_phone_get_or_create,
)
from gridgov.residents.models import PhoneCode

logger = logging.getLogger("gridgov.residents")

CODE_KIND = "resident_code"
CODE_DIGITS = 6


class SmsUnavailable(DomainError):
    status = 503


def phone_checked(raw: str) -> str:
    """The mobile in `raw`, or 400; a staff member's phone is refused (403)."""
    phone = mobile_or_none(raw)
    if phone is None:
        raise DomainError(
            _("Give a mainland mobile number (11 digits starting with 13–19)."),
            code="bad_phone",
            field="phone",
        )
    if phone_is_staff(phone):
        raise PermissionDenied(
            _("This phone belongs to a staff account: staff sign in with their password."),
            code="staff_phone",
        )
    return phone


def code_hash(phone: str, code: str) -> str:
    message = f"{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _sms_channel() -> Channel | None:
    channels = Channel.objects.filter(active=True, kind=Channel.Kind.SMS).order_by("pk")
    return next((c for c in channels if c.carries(CODE_KIND)), None)


def _code_text(code: str) -> str:
    minutes = max(1, settings.GRIDGOV_PHONE_CODE_SECONDS // 60)
    return _("Your sign-in code is %(code)s, valid for %(minutes)s minutes. Do not share it.") % {
        "code": code,
        "minutes": minutes,
    }


def phone_code_send(*, phone: str) -> int:
    """Make a new code for the phone (the live one, if any, is spent) and send it; returns
    how many seconds it lives. Precondition: `phone` passed `phone_checked` (and the
    caller's rate limits)."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    seconds = settings.GRIDGOV_PHONE_CODE_SECONDS
    with transaction.atomic():
        PhoneCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
        PhoneCode.objects.create(
            phone=phone,
            code_hash=code_hash(phone, code),
            expires_at=now + dt.timedelta(seconds=seconds),
        )
    channel = _sms_channel()
    text = _code_text(code)
    if channel is not None:
        # Sent now, not queued: the person waits at the form. Not kept in any inbox.
        message = Notification(user=User(phone=phone), kind=CODE_KIND, text=text)
        try:
            send_sms(channel, message)
        except DeliveryError as error:
            logger.warning("sign-in code for …%s not sent: %s", phone[-4:], error)
            raise SmsUnavailable(
                _("The SMS could not be sent just now; please try again in a minute."),
                code="sms_unavailable",
            ) from error
        return seconds
    # The embedded default (no SMS gateway): the console, and the inbox of the phone's
    # account if it has one already (an account is made only when a code is verified).
    logger.warning("sign-in code for %s: %s (no SMS channel configured)", mask_phone(phone), code)
    account = resident_for_phone(phone)
    if account is not None:
        # Written here, not by notifications.notify: no channel (a webhook) may carry a code.
        Notification.objects.create(user=account, kind=CODE_KIND, text=text)
    return seconds


def _wrong() -> DomainError:
    return DomainError(
        _("The code is wrong or has expired; ask for a new one if needed."),
        code="bad_code",
        field="code",
    )


def phone_code_check(*, phone: str, code: str) -> User:
    """The resident account of the phone if `code` is its live code (which is then spent),
    created on first sign-in; its sign-in-code messages are then removed from its inbox. A wrong code counts a try; GRIDGOV_PHONE_CODE_TRIES of them
    spend the code. Precondition: `phone` passed `phone_checked`."""
    now = timezone.now()
    tries = settings.GRIDGOV_PHONE_CODE_TRIES
    live = (
        PhoneCode.objects.filter(
            phone=phone, used_at__isnull=True, expires_at__gt=now, attempts__lt=tries
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    code = "".join(str(code or "").split())
    if live is None:
        raise _wrong()
    if not hmac.compare_digest(live.code_hash, code_hash(phone, code)):
        PhoneCode.objects.filter(pk=live.pk, attempts__lt=tries).update(attempts=F("attempts") + 1)
        raise _wrong()
    # Compare and swap: of two sign-ins with the same code, one wins.
    spent = PhoneCode.objects.filter(pk=live.pk, used_at__isnull=True, attempts__lt=tries).update(
        used_at=now
    )
    if not spent:
        raise _wrong()
    user = resident_for_phone_get_or_create(phone)
    if user is None:  # a staff account took the phone meanwhile
        raise PermissionDenied(
            _("This phone belongs to a staff account: staff sign in with their password."),
            code="staff_phone",
        )
    if not user.is_active:
        raise PermissionDenied(_("This account is disabled."), code="inactive")
    # Signed in: the codes in the inbox have served (read or not, none is of use again).
    Notification.objects.filter(user=user, kind=CODE_KIND).delete()
    return user
