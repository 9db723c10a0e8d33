"""Import of area polygons from GeoJSON or Excel, all or nothing.

A tree half-imported is worse than none: every feature is checked first (code
shape, polygon validity, parent known, scope), and only a clean file is written.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import area_in_scope, require_capability
from gridgov.areas.codes import check_child_code, kind_for_code, normalize_code
from gridgov.areas.divisions import _parent_code
from gridgov.areas.models import Area
from gridgov.areas.services import geometry_fields, tree_version_bump
from gridgov.common.errors import DomainError
from gridgov.common.xlsx import read_sheet

EXCEL_COLUMNS = ["code", "name", "parent_code", "geometry"]


@dataclass
class RowError:
    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class PolygonImport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def features_from_geojson(content: bytes | str) -> list[dict[str, Any]]:
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise DomainError(_("The file is not GeoJSON."), code="bad_file", field="file") from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise DomainError(
            _("The GeoJSON must be a FeatureCollection."), code="bad_file", field="file"
        )
    rows = []
    for number, feature in enumerate(data["features"], start=1):
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties") or {}
        rows.append(
            {
                "_row": number,
                **{k: properties.get(k) for k in ("code", "name", "parent_code")},
                "geometry": feature.get("geometry"),
            }
        )
    return rows


def features_from_excel(content: bytes) -> list[dict[str, Any]]:
    header, body = read_sheet(content)
    missing = [c for c in ("code", "name", "geometry") if c not in header]
    if missing:
        raise DomainError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
            code="bad_file",
            field="file",
        )
    return [
        {"_row": number}
        | {
            key: values[header.index(key)]
            if key in header and header.index(key) < len(values)
            else None
            for key in EXCEL_COLUMNS
        }
        for number, values in body
    ]


def import_polygons(
    *, user: User, rows: list[dict[str, Any]], dry_run: bool = False
) -> PolygonImport:
    require_capability(user, Capability.AREAS_EDIT)
    result = PolygonImport()
    checked: list[tuple[str, str, str | None, dict]] = []
    in_file: set[str] = set()
    for position, row in enumerate(rows, start=1):
        number = row.get("_row", position)
        try:
            code = normalize_code(row.get("code") or "")
            in_file.add(code)
        except DomainError as error:
            result.errors.append(RowError(number, "code", error.message))
            continue
        name = str(row.get("name") or "").strip()
        if not name:
            result.errors.append(RowError(number, "name", _("An area needs a name.")))
        try:
            fields = geometry_fields(row.get("geometry"))
            if fields["geometry"] is None:
                raise DomainError(_("The geometry is missing."), field="geometry")
        except DomainError as error:
            result.errors.append(RowError(number, "geometry", error.message))
            continue
        parent_code = row.get("parent_code")
        try:
            parent_code = (
                normalize_code(parent_code) if parent_code not in (None, "") else _parent_code(code)
            )
            check_child_code(parent_code, code)
        except DomainError as error:
            result.errors.append(RowError(number, "parent_code", error.message))
            continue
        checked.append((code, name, parent_code, fields | {"_row": number}))
    existing = {
        a.code: a
        for a in Area.objects.filter(
            code__in=[c[0] for c in checked] + [c[2] for c in checked if c[2]]
        )
    }
    for code, _name, parent_code, fields in checked:
        target = existing.get(code) or existing.get(parent_code or "")
        if parent_code and parent_code not in existing and parent_code not in in_file:
            result.errors.append(
                RowError(
                    fields["_row"],
                    "parent_code",
                    _("There is no area with code %(code)s.") % {"code": parent_code},
                )
            )
        elif target is not None and not area_in_scope(user, target):
            result.errors.append(RowError(fields["_row"], "code", _("This is outside your area.")))
        elif target is None and not user.is_superuser:
            result.errors.append(
                RowError(
                    fields["_row"], "code", _("Only an administrator may add a top-level area.")
                )
            )
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for code, name, parent_code, fields in sorted(checked, key=lambda c: len(c[0])):
            fields = {k: v for k, v in fields.items() if k != "_row"}
            area = Area.objects.filter(code=code).first()
            if area is not None:
                for key, value in fields.items():
                    setattr(area, key, value)
                area.name = name
                area.save(update_fields=[*fields, "name"])
                result.updated += 1
                continue
            parent = Area.objects.filter(code=parent_code).first() if parent_code else None
            Area.objects.create(
                code=code,
                name=name,
                kind=kind_for_code(code),
                parent=parent,
                path=(parent.path if parent else "/") + code + "/",
                depth=parent.depth + 1 if parent else 0,
                **fields,
            )
            result.created += 1
        tree_version_bump()
    return result
