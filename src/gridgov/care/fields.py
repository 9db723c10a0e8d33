"""The special groups' own fields: each CareTag defines its questions in `fields`
([{"key", "label", "kind", "choices", "required"}]); every write of a member's details is
checked here, and phones among them are masked like any phone for roles without PII_VIEW."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError
from gridgov.registry.pii import mask_phone, phone_clean

KINDS = ("text", "number", "choice", "date", "bool", "phone")
TEXT_MAX = 200


def _bad(field: dict, message: str) -> DomainError:
    return DomainError(message, code="bad_detail", field=f"details.{field['key']}")


def _number(field: dict, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _bad(field, _("%(label)s must be a number.") % {"label": field["label"]})
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad(field, _("%(label)s must be a number.") % {"label": field["label"]}) from None
    if number != number or abs(number) > 1e12:  # NaN or absurd
        raise _bad(field, _("%(label)s must be a number.") % {"label": field["label"]})
    return int(number) if number.is_integer() else number


def _date(field: dict, value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _bad(
            field, _("%(label)s must be a date (YYYY-MM-DD).") % {"label": field["label"]}
        ) from None


def _bool(field: dict, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes", "on"):
        return True
    if str(value).lower() in ("false", "0", "no", "off"):
        return False
    raise _bad(field, _("%(label)s must be yes or no.") % {"label": field["label"]})


def _value_clean(field: dict, value: Any) -> Any:
    kind = field.get("kind", "text")
    if kind == "number":
        return _number(field, value)
    if kind == "date":
        return _date(field, value)
    if kind == "bool":
        return _bool(field, value)
    text = str(value).strip()
    if kind == "phone":
        return phone_clean(text, field=f"details.{field['key']}")
    if kind == "choice" and text not in field.get("choices", []):
        raise _bad(
            field,
            _("%(label)s must be one of: %(choices)s.")
            % {"label": field["label"], "choices": ", ".join(field.get("choices", []))},
        )
    if len(text) > TEXT_MAX:
        raise _bad(
            field,
            _("%(label)s is longer than %(max)s characters.")
            % {"label": field["label"], "max": TEXT_MAX},
        )
    return text


def details_clean(fields: list[dict], details: Any) -> dict:
    """The details of a member checked against the group's fields: known keys only, each of
    its kind, the required ones present. Empty values are dropped (not stored as "")."""
    if details in (None, ""):
        details = {}
    if not isinstance(details, dict):
        raise DomainError(_("Details must be a mapping of fields."), field="details")
    known = {f["key"]: f for f in fields}
    unknown = sorted(set(details) - set(known))
    if unknown:
        raise DomainError(
            _("Unknown field for this group: %(keys)s.") % {"keys": ", ".join(unknown)},
            code="bad_detail",
            field=f"details.{unknown[0]}",
        )
    clean: dict = {}
    for key, field in known.items():
        value = details.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.get("required"):
                raise _bad(field, _("%(label)s is required.") % {"label": field["label"]})
            continue
        clean[key] = _value_clean(field, value)
    return clean


def fields_clean(fields: Any) -> list[dict]:
    """A group's field definitions as the back office edits them: keys unique, kinds known,
    choices given for a choice."""
    if not isinstance(fields, list):
        raise DomainError(_("Fields must be a list."), field="fields")
    seen: set[str] = set()
    clean = []
    for item in fields:
        if not isinstance(item, dict) or not str(item.get("key", "")).strip():
            raise DomainError(_("Every field needs a key."), field="fields")
        key = str(item["key"]).strip()
        kind = item.get("kind", "text")
        if key in seen:
            raise DomainError(_("Field %(key)s appears twice.") % {"key": key}, field="fields")
        if kind not in KINDS:
            raise DomainError(
                _("Field %(key)s: the kind must be one of %(kinds)s.")
                % {"key": key, "kinds": ", ".join(KINDS)},
                field="fields",
            )
        choices = [str(c) for c in item.get("choices", []) or []]
        if kind == "choice" and not choices:
            raise DomainError(
                _("Field %(key)s: a choice needs choices.") % {"key": key}, field="fields"
            )
        seen.add(key)
        clean.append(
            {
                "key": key,
                "label": str(item.get("label") or key)[:100],
                "kind": kind,
                "choices": choices,
                "required": bool(item.get("required", False)),
            }
        )
    return clean


def details_display(fields: list[dict], details: dict, *, masked: bool) -> list[dict]:
    """[{key, label, value}] in the group's order; phones masked unless `masked` is False."""
    out = []
    for field in fields:
        if field["key"] not in details:
            continue
        value = details[field["key"]]
        if field.get("kind") == "phone" and masked:
            value = mask_phone(str(value))
        elif field.get("kind") == "bool":
            value = _("Yes") if value else _("No")
        out.append({"key": field["key"], "label": field["label"], "value": str(value)})
    return out
