"""Ids read from forms: digits that fit a 64-bit key, or a clear error.

`"9" * 20` is digits, and Python reads it, but the database cannot (SQLite raises
OverflowError, PostgreSQL an out-of-range error): a 500 where a 400 belongs.
"""

from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError

MAX_ID = 2**63 - 1


def form_id(value: str | None, *, field: str) -> int | None:
    """None for an empty value; the id for digits in range; otherwise a DomainError."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        raise DomainError(_("Not a valid id."), field=field)
    return int(text)


def form_ids(values: list[str], *, field: str) -> list[int]:
    return [i for i in (form_id(v, field=field) for v in values) if i is not None]
