"""Excel templates, imports and exports of registry records.

Imports check every row first; rows with errors are reported by row and column
and left out, the good rows are written together in one transaction, so a file
is never half-imported. Headers may be the column names in Chinese or English
or the field keys.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability, scope_queryset
from gridgov.common.errors import DomainError
from gridgov.common.xlsx import read_sheet, write_sheet
from gridgov.registry.kinds import Kind
from gridgov.registry.selectors import records_as_dicts, records_filter
from gridgov.registry.services import kind_get, record_clean, record_upsert_cleaned


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "errors": self.errors}


def column_header(kind: Kind, name: str) -> str:
    return str(kind.field(name).verbose_name)


def _header_map(kind: Kind) -> dict[str, str]:
    mapping = {name: name for name in kind.columns}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for name in kind.columns:
                mapping[column_header(kind, name).strip().lower()] = name
    return mapping


def _workbook_bytes(kind: Kind, headers: list[str], rows: list[list[Any]]) -> bytes:
    return write_sheet([headers, *rows], kind.key)


def template_bytes(kind_key: str) -> bytes:
    kind = kind_get(kind_key)
    return _workbook_bytes(kind, [column_header(kind, name) for name in kind.columns], [])


def export_bytes(
    *,
    user: User,
    kind_key: str,
    area_code: str | None = None,
    reveal: bool = False,
    ip: str | None = None,
) -> bytes:
    kind = kind_get(kind_key)
    records = records_filter(user=user, kind=kind, area_code=area_code)
    rows = records_as_dicts(
        user=user,
        kind=kind,
        records=records.iterator(chunk_size=2000),
        reveal=reveal,
        channel="export",
        ip=ip,
    )
    headers = [str(_("ID")), str(_("grid"))] + [column_header(kind, name) for name in kind.columns]
    body = []
    for row in rows:
        values = [row["id"], row["area"]]
        for name in kind.columns:
            value = row[name]
            values.append("、".join(value) if isinstance(value, list) else value)
        body.append(values)
    return _workbook_bytes(kind, headers, body)


def import_bytes(*, user: User, kind_key: str, content: bytes) -> ImportReport:
    kind = kind_get(kind_key)
    require_capability(user, Capability.REGISTRY_EDIT)
    header, body = read_sheet(content)
    known = _header_map(kind)
    columns = [known.get(h) for h in header]
    missing = [
        column_header(kind, c) for c in kind.columns if not kind.field(c).blank and c not in columns
    ]
    if missing:
        raise DomainError(
            _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)},
            code="bad_file",
            field="file",
        )
    report = ImportReport()
    good: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for number, values in body:
        data = {name: value for name, value in zip(columns, values, strict=False) if name}
        try:
            cleaned = record_clean(user=user, kind=kind, data=data)
        except DomainError as error:
            header_name = (
                column_header(kind, error.field) if error.field in kind.columns else error.field
            )
            report.errors.append({"row": number, "column": header_name, "message": error.message})
            continue
        key = tuple(cleaned.get(n) for n in kind.natural_key)
        if key in seen:
            report.errors.append(
                {
                    "row": number,
                    "column": column_header(kind, kind.natural_key[-1]),
                    "message": _("Same record as row %(row)s.") % {"row": seen[key]},
                }
            )
            continue
        seen[key] = number
        lookup = {n: cleaned.get(n) for n in kind.natural_key}
        if (
            kind.model.objects.filter(**lookup).exists()
            and not scope_queryset(kind.model.objects.filter(**lookup), user).exists()
        ):
            report.errors.append(
                {
                    "row": number,
                    "column": column_header(kind, kind.natural_key[-1]),
                    "message": _("This record is registered outside your area."),
                }
            )
            continue
        good.append(cleaned)
    with transaction.atomic():
        for cleaned in good:
            if record_upsert_cleaned(kind=kind, values=cleaned):
                report.created += 1
            else:
                report.updated += 1
    return report
