"""Attributes of a GeoReport POST, read and checked against the service definition.

A client sends `attribute[code]=x` for a single value and `attribute[code][]=a&attribute
[code][]=b` for a multivaluelist (some repeat `attribute[code]` instead: both are read).
Every defined attribute is checked against its datatype and allowed values, and a required
one must be there; a refusal names the attribute. Attributes the service does not define
are dropped: the rest of a hostile form would sit in every copy of the event.
"""

import math
import re
from typing import Any

from django.http import QueryDict

from gridgov.common.errors import DomainError
from gridgov.common.text import xml_safe
from gridgov.common.when import parse_when
from gridgov.open311.formats import GeoReportError

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
# A one-line string is short; `text` may be as long as a description.
MAX_LENGTH = {"string": 500, "text": 4000}
MAX_LENGTH_OTHER = 500
_KEY = re.compile(r"^attribute\[([^\[\]]+)\](?:\[\])?$")


def attributes_sent(data: QueryDict) -> dict[str, list[str]]:
    """code → every value sent for it, under either form of the key."""
    sent: dict[str, list[str]] = {}
    for key in data:
        match = _KEY.match(key)
        if match is None:
            continue
        values = [value for value in data.getlist(key) if value != ""]
        sent.setdefault(match.group(1), []).extend(values)
    return sent


def _bad(code: str, reason: str) -> GeoReportError:
    return GeoReportError(400, f"attribute[{code}] {reason}")


def _value(field: dict, value: str) -> Any:
    code = str(field.get("code"))
    datatype = field.get("datatype") or "string"
    if len(value) > MAX_LENGTH.get(datatype, MAX_LENGTH_OTHER):
        raise _bad(code, f"is longer than {MAX_LENGTH.get(datatype, MAX_LENGTH_OTHER)}")
    if datatype == "string" and ("\n" in value or "\r" in value):
        raise _bad(code, "is a string: one line of text")
    if datatype == "number":
        try:
            number = float(value)
        except ValueError:
            raise _bad(code, f"must be a number, not {value[:40]!r}") from None
        if not math.isfinite(number):
            raise _bad(code, "must be a finite number")
    if datatype == "datetime":
        try:
            parse_when(value, field=code)
        except DomainError:
            raise _bad(code, "must be a W3C datetime, e.g. 2026-11-24T08:00:00+08:00") from None
    if datatype in ("singlevaluelist", "multivaluelist"):
        keys = [str(v.get("key")) for v in field.get("values") or []]
        if value not in keys:
            raise _bad(code, f"{value[:40]!r} is not one of: {', '.join(keys)}")
    return xml_safe(value)


def attributes_clean(definition: list[dict], data: QueryDict) -> dict[str, Any]:
    """The attributes to store: code → value (a list for a multivaluelist). Raises a 400
    GeoReportError naming the first attribute that is missing or wrong."""
    sent = attributes_sent(data)
    kept: dict[str, Any] = {}
    for field in definition:
        code = str(field.get("code"))
        datatype = field.get("datatype") or "string"
        if datatype not in DATATYPES:  # a definition error of ours must not store garbage
            datatype = "string"
        values = [value.strip() for value in sent.get(code, []) if value.strip()]
        if not values:
            if field.get("required") and field.get("variable", True):
                raise _bad(code, "is required")
            continue
        if datatype != "multivaluelist" and len(values) > 1:
            raise _bad(code, f"takes one value ({datatype}), not {len(values)}")
        cleaned = [_value({**field, "datatype": datatype}, value) for value in values]
        kept[code] = list(dict.fromkeys(cleaned)) if datatype == "multivaluelist" else cleaned[0]
    return kept
