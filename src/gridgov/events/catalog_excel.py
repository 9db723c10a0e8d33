"""The event catalog in Excel: export, edit in the office, import back.

Subclasses are matched by code; every row is checked first, bad rows are reported by
row and column and left out, good rows are saved together.
"""

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError
from gridgov.common.xlsx import read_sheet, write_sheet
from gridgov.events.catalog_cache import catalog_changed
from gridgov.events.models import CatalogClass, Subclass

COLUMNS = [
    "code",
    "name_zh",
    "name_en",
    "class_code",
    "keywords",
    "default_level",
    "accept_hours",
    "dispatch_hours",
    "handle_hours",
    "urgent_handle_hours",
    "critical_handle_hours",
    "photo_required",
    "duplicate_radius_m",
    "duplicate_window_hours",
    "active",
]


def catalog_bytes() -> bytes:
    # Through the one writer, whose cells are neutralised: names and keywords are free text.
    return write_sheet([COLUMNS, *_catalog_rows()], "subclasses")


def _catalog_rows() -> Iterator[list[Any]]:
    for s in Subclass.objects.select_related("event_class").order_by("code"):
        normal = s.time_limits.get("normal", {})
        yield [
            s.code,
            s.name_zh,
            s.name_en,
            s.event_class.code,
            s.keywords,
            s.default_level,
            normal.get("accept"),
            normal.get("dispatch"),
            normal.get("handle"),
            s.time_limits.get("urgent", {}).get("handle"),
            s.time_limits.get("critical", {}).get("handle"),
            s.photo_required,
            s.duplicate_radius_m,
            s.duplicate_window_hours,
            s.active,
        ]


def _hours(value: Any, column: str) -> float:
    try:
        hours = float(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("%(column)s must be a number of working hours.") % {"column": column}, field=column
        ) from None
    if not 0 < hours <= 2000:
        raise DomainError(
            _("%(column)s must be between 0 and 2000 working hours.") % {"column": column},
            field=column,
        )
    return hours


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "是", "y"}


def catalog_import(content: bytes) -> dict[str, Any]:
    header, body = read_sheet(content)
    missing = [
        c
        for c in ("code", "name_zh", "class_code", "default_level", "handle_hours")
        if c not in header
    ]
    if missing:
        raise DomainError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
            code="bad_file",
            field="file",
        )
    classes = {c.code: c for c in CatalogClass.objects.filter(family=CatalogClass.Family.EVENT)}
    errors, good = [], []
    for number, values in body:
        row = {name: values[i] if i < len(values) else None for i, name in enumerate(header)}
        try:
            code = str(row.get("code") or "").strip()
            if not (code.isdigit() and len(code) == 4):
                raise DomainError(_("A subclass code has 4 digits."), field="code")
            event_class = classes.get(str(row.get("class_code") or "").strip().zfill(2))
            if event_class is None or event_class.code != code[:2]:
                raise DomainError(
                    _("The class code must be a known class and the first two digits of the code."),
                    field="class_code",
                )
            if not str(row.get("name_zh") or "").strip():
                raise DomainError(_("A subclass needs a Chinese name."), field="name_zh")
            level = str(row.get("default_level") or "").strip()
            if level not in Subclass.Level.values:
                raise DomainError(
                    _("default_level must be street, district or city."), field="default_level"
                )
            handle = _hours(row.get("handle_hours"), "handle_hours")
            limits = {
                "normal": {
                    "accept": _hours(row.get("accept_hours") or 1, "accept_hours"),
                    "dispatch": _hours(row.get("dispatch_hours") or 1, "dispatch_hours"),
                    "handle": handle,
                },
                "urgent": {
                    "accept": 0.5,
                    "dispatch": 0.5,
                    "handle": _hours(
                        row.get("urgent_handle_hours") or max(1, handle / 2), "urgent_handle_hours"
                    ),
                },
                "critical": {
                    "accept": 0.25,
                    "dispatch": 0.25,
                    "handle": _hours(
                        row.get("critical_handle_hours") or max(0.5, handle / 4),
                        "critical_handle_hours",
                    ),
                },
            }
            good.append(
                (
                    code,
                    {
                        "event_class": event_class,
                        "name_zh": str(row["name_zh"]).strip(),
                        "name_en": str(row.get("name_en") or "").strip(),
                        "keywords": str(row.get("keywords") or "").strip(),
                        "default_level": level,
                        "time_limits": limits,
                        "photo_required": _flag(row.get("photo_required")),
                        "active": row.get("active") is None or _flag(row.get("active")),
                        "duplicate_radius_m": int(row.get("duplicate_radius_m") or 100),
                        "duplicate_window_hours": int(row.get("duplicate_window_hours") or 24),
                    },
                )
            )
        except DomainError as error:
            errors.append({"row": number, "column": error.field, "message": error.message})
        except (TypeError, ValueError):
            errors.append(
                {"row": number, "column": None, "message": _("A number could not be read.")}
            )
    created = updated = 0
    with transaction.atomic():
        for code, defaults in good:
            _subclass, was_created = Subclass.objects.update_or_create(code=code, defaults=defaults)
            created += was_created
            updated += not was_created
        catalog_changed()
    return {"created": created, "updated": updated, "errors": errors}
