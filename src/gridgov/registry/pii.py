"""Personal data: validation of ID numbers and phones, and masking.

ID numbers follow GB 11643-1999: 17 digits and a check character (ISO 7064
MOD 11-2), with the birth date in positions 7–14. Phones are mainland mobiles.
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PROVINCES = {
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
    71,
    81,
    82,
}


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_clean(raw: str, field: str = "id_number") -> str:
    """The ID number in canonical form (upper-case X), or a DomainError saying what is wrong."""
    value = str(raw or "").strip().upper()
    if not _ID.match(value):
        raise DomainError(
            _("An ID number has 17 digits and a digit or X at the end."),
            code="bad_id_number",
            field=field,
        )
    if int(value[:2]) not in _PROVINCES:
        raise DomainError(
            _("The ID number's region code is not a province."), code="bad_id_number", field=field
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise DomainError(
            _("The ID number's birth date is not a date."), code="bad_id_number", field=field
        ) from None
    if birth > timezone.localdate() or birth.year < 1900:
        raise DomainError(
            _("The ID number's birth date is impossible."), code="bad_id_number", field=field
        )
    if id_check_char(value[:17]) != value[17]:
        raise DomainError(
            _("The ID number's check digit is wrong; please check it digit by digit."),
            code="bad_id_number",
            field=field,
        )
    return value


def id_birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_gender(id_number: str) -> str:
    return "M" if int(id_number[16]) % 2 else "F"


def phone_clean(raw: str, field: str = "phone") -> str:
    value = re.sub(r"[\s-]", "", str(raw or ""))
    if value.startswith("+86"):
        value = value[3:]
    if value and not _MOBILE.match(value):
        raise DomainError(
            _("A mobile number has 11 digits and starts with 13–19."), code="bad_phone", field=field
        )
    return value


# Masks are chosen so that no mask, alone or beside the rest of a masked payload, lets
# anyone rebuild the value (decision 0004). An ID number is region (6) + birth date (8) +
# serial (3) + check (1): the region follows from the grid and the check from the rest, so
# showing the first four and the last four with the birth year left a few thousand
# candidates. Now only the province (shared by the whole district) and the last two
# (the serial's last digit, which gives only the gender, and the check character) remain,
# and masked payloads carry no birth date.
ID_SHOWN_HEAD = 2
ID_SHOWN_TAIL = 2
# Phones: at most the carrier prefix (3) and the last four, as banks and couriers show
# them; nothing else in a masked payload narrows the four hidden digits.
PHONE_SHOWN_HEAD = 3
PHONE_SHOWN_TAIL = 4


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    hidden = len(value) - ID_SHOWN_HEAD - ID_SHOWN_TAIL
    return value[:ID_SHOWN_HEAD] + "*" * hidden + value[-ID_SHOWN_TAIL:]


def mask_phone(value: str) -> str:
    if len(value) != 11:
        return "*" * len(value)
    hidden = len(value) - PHONE_SHOWN_HEAD - PHONE_SHOWN_TAIL
    return value[:PHONE_SHOWN_HEAD] + "*" * hidden + value[-PHONE_SHOWN_TAIL:]


def mask_text(value: str) -> str:
    """Addresses: keep the start (street, compound), hide the rest."""
    if not value:
        return value
    keep = min(6, len(value) // 2)
    return value[:keep] + "***"


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "text": mask_text}
