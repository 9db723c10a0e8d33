"""Excel templates, imports and exports of registry records, with the labels people read.

Column names are the fields' names in the active language; choices are written by label,
grids by name, references by what people call them (excel_labels). An export carries each
record's number in its first column, so an export edited and imported back updates the
same records — even when the edit is to the ID number or the name the record was found by.

Imports check every row first; rows with errors are reported by row and column and left
out, the good rows are written together in one transaction, so a file is never
half-imported. Headers may be the column names in Chinese or English or the field keys.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability, scope_queryset
from gridgov.common.errors import DomainError
from gridgov.common.xlsx import read_sheet, write_sheet
from gridgov.registry.excel_labels import (
    LABEL_RELATED,
    choice_label,
    choice_value,
    reference_label,
    reference_lookup_value,
    unchanged_as_exported,
)
from gridgov.registry.kinds import Kind
from gridgov.registry.selectors import records_as_dicts, records_filter
from gridgov.registry.services import kind_get, record_clean, record_upsert_cleaned

RECORD_ID = "__id__"
GRID = "__grid__"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "errors": self.errors}


def column_header(kind: Kind, name: str) -> str:
    return str(kind.field(name).verbose_name)


def _record_id_header() -> str:
    return _("Record ID")


def _header_map(kind: Kind) -> dict[str, str]:
    mapping = {name: name for name in (*kind.columns, *kind.read_only)}
    mapping |= {"id": RECORD_ID, "area": GRID}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name in (*kind.columns, *kind.read_only):
                mapping[column_header(kind, name).strip().lower()] = name
            for header in (_record_id_header(), _("ID")):
                mapping[header.strip().lower()] = RECORD_ID
            mapping[_("grid").strip().lower()] = GRID
    return mapping


def template_bytes(kind_key: str) -> bytes:
    kind = kind_get(kind_key)
    headers = [column_header(kind, name) for name in (*kind.columns, *kind.read_only)]
    return write_sheet([headers], kind.key)


def _with_labels(kind: Kind, records: Iterable[Model], labels: dict, masked: bool) -> Iterator:
    """The records, noting as they pass the labels of their references and read-only columns."""
    for record in records:
        row = {
            name: choice_label(kind.field(name), getattr(record, name)) for name in kind.read_only
        }
        for name in kind.references or {}:
            row[name] = reference_label(getattr(record, name), masked=masked)
        labels[record.pk] = row
        yield record


def export_bytes(
    *,
    user: User,
    kind_key: str,
    area_code: str | None = None,
    reveal: bool = False,
    ip: str | None = None,
) -> bytes:
    kind = kind_get(kind_key)
    records = records_filter(user=user, kind=kind, area_code=area_code).select_related(
        *LABEL_RELATED.get(kind.key, ())
    )
    labels: dict[int, dict[str, Any]] = {}
    rows = records_as_dicts(
        user=user,
        kind=kind,
        records=_with_labels(kind, records.iterator(chunk_size=2000), labels, not reveal),
        reveal=reveal,
        channel="export",
        ip=ip,
    )
    headers = [_record_id_header(), str(_("grid"))]
    headers += [column_header(kind, name) for name in (*kind.columns, *kind.read_only)]
    body = []
    for row in rows:
        named = labels[row["id"]]
        values = [row["id"], row["area_name"]]
        for name in kind.columns:
            value = named[name] if name in named else row[name]
            if isinstance(value, list):
                value = "、".join(value)
            values.append(choice_label(kind.field(name), value))
        values += [named[name] for name in kind.read_only]
        body.append(values)
    return write_sheet([headers, *body], kind.key)


def _row_error(kind: Kind, number: int, name: str | None, message: str) -> dict[str, Any]:
    if name == RECORD_ID:
        column = _record_id_header()
    elif name in (*kind.columns, *kind.read_only):
        column = column_header(kind, name)
    else:
        column = name or ""
    return {"row": number, "column": column, "message": message}


def _record_id(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value <= 0 or str(value) != str(raw).strip().removesuffix(".0"):
        raise DomainError(_("A record ID is a whole number from an export."), field=RECORD_ID)
    return value


def _read_only_values(kind: Kind, data: dict, record: Model | None) -> dict[str, str]:
    """The read-only columns to set: on a new record as given; on an existing one they must be
    as they are (a change there goes through the household's history, which says who and when)."""
    values: dict[str, str] = {}
    for name in kind.read_only:
        code = choice_value(kind.field(name), data.get(name))
        if code is None:
            continue
        if record is None:
            values[name] = code
        elif code != getattr(record, name):
            raise DomainError(
                _("%(field)s changes on the household's page, where the change is recorded.")
                % {"field": kind.field(name).verbose_name},
                field=name,
            )
    return values


def _check_columns(kind: Kind, columns: list[str | None]) -> None:
    missing = [
        column_header(kind, c) for c in kind.columns if not kind.field(c).blank and c not in columns
    ]
    if missing:
        raise DomainError(
            _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)},
            code="bad_file",
            field="file",
        )


def import_bytes(*, user: User, kind_key: str, content: bytes) -> ImportReport:
    kind = kind_get(kind_key)
    require_capability(user, Capability.REGISTRY_EDIT)
    header, body = read_sheet(content)
    known = _header_map(kind)
    columns = [known.get(h) for h in header]
    _check_columns(kind, columns)
    rows = [
        (number, {name: value for name, value in zip(columns, values, strict=False) if name})
        for number, values in body
    ]
    ids = set()
    for _number, data in rows:
        try:
            ids.add(_record_id(data.get(RECORD_ID)))
        except DomainError:
            pass
    in_scope = scope_queryset(
        kind.model.objects.select_related("area", *LABEL_RELATED.get(kind.key, ())), user
    )
    existing = {r.pk: r for r in in_scope.filter(pk__in=[i for i in ids if i])}
    report = ImportReport()
    good: list[tuple[Model | None, dict[str, Any]]] = []
    seen_keys: dict[tuple, int] = {}
    seen_ids: dict[int, int] = {}
    for number, data in rows:
        try:
            pk = _record_id(data.pop(RECORD_ID, None))
            record = None
            if pk is not None:
                record = existing.get(pk)
                if record is None:
                    raise DomainError(
                        _("No record %(id)s of this kind in your area.") % {"id": pk},
                        field=RECORD_ID,
                    )
                if pk in seen_ids:
                    raise DomainError(
                        _("Same record as row %(row)s.") % {"row": seen_ids[pk]}, field=RECORD_ID
                    )
                data = unchanged_as_exported(kind, record, data)
            for name in kind.references or {}:
                if name in data:
                    data[name] = reference_lookup_value(user, kind, name, data[name])
            extra = _read_only_values(kind, data, record)
            cleaned = record_clean(user=user, kind=kind, data=data) | extra
            _check_natural_key(user, kind, cleaned, record, number, seen_keys)
        except DomainError as error:
            report.errors.append(_row_error(kind, number, error.field, error.message))
            continue
        if pk is not None:
            seen_ids[pk] = number
        good.append((record, cleaned))
    with transaction.atomic():
        for record, cleaned in good:
            if record is not None:
                _update(record, cleaned)
                report.updated += 1
            elif record_upsert_cleaned(kind=kind, values=cleaned):
                report.created += 1
            else:
                report.updated += 1
    return report


def _check_natural_key(
    user: User, kind: Kind, cleaned: dict, record: Model | None, number: int, seen: dict
) -> None:
    """One row per record in a file; a natural key that is another record's is refused, and
    one registered outside the user's area is never overwritten (nor said to exist there)."""
    key = tuple(cleaned.get(n) for n in kind.natural_key)
    last = kind.natural_key[-1]
    if key in seen:
        raise DomainError(_("Same record as row %(row)s.") % {"row": seen[key]}, field=last)
    seen[key] = number
    lookup = {n: cleaned.get(n) for n in kind.natural_key}
    others = kind.model.objects.filter(**lookup)
    if record is not None:
        if others.exclude(pk=record.pk).exists():
            raise DomainError(
                _("Another record is registered with this %(field)s.")
                % {"field": kind.field(last).verbose_name},
                field=last,
            )
        return
    if others.exists() and not scope_queryset(others, user).exists():
        raise DomainError(_("This record is registered outside your area."), field=last)


def _update(record: Model, values: dict[str, Any]) -> None:
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, values[name])
    if changed:
        record.save(update_fields=[*changed, "updated_at"])
