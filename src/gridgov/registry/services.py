"""Every write to the registry: clean, place in the grid tree, check scope, save."""

from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_area_in_scope, require_capability, scope_queryset
from gridgov.areas import spatial_index
from gridgov.areas.codes import AreaKind, normalize_code
from gridgov.areas.geometry import check_point
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, NotFound
from gridgov.registry.kinds import KINDS, Kind
from gridgov.registry.pii import id_birth_date, id_gender, id_number_clean, phone_clean


def kind_get(key: str) -> Kind:
    kind = KINDS.get(key)
    if kind is None:
        raise NotFound(_("Unknown record type %(kind)r.") % {"kind": key}, field="kind")
    return kind


def area_for_point(*, user: User, lon: Any, lat: Any) -> Area:
    """The deepest area containing the point, which must be inside the user's scope."""
    lon, lat = check_point(lon, lat)
    node = spatial_index.get_index().deepest(lon, lat)
    if node is None:
        raise DomainError(
            _("(%(lon)s, %(lat)s) lies outside every managed area.") % {"lon": lon, "lat": lat},
            code="outside_areas",
            field="lon",
        )
    area = Area.objects.get(pk=node.id)
    require_area_in_scope(user, area, field="lon")
    return area


def choice_clean(field: models.Field, raw: Any) -> str:
    """The code of a choice from its code or its label in Chinese or English."""
    value = str(raw).strip()
    for choice_value, label in field.choices:
        if value == choice_value:
            return choice_value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if value == str(label):
                    return choice_value
    allowed = ", ".join(str(label) for _value, label in field.choices)
    raise DomainError(
        _("%(value)r is not one of: %(allowed)s.") % {"value": value, "allowed": allowed},
        field=field.name,
    )


def _reference(*, user: User, kind: Kind, name: str, raw: Any) -> models.Model | None:
    if raw in (None, ""):
        return None
    target_field = kind.references[name]
    target = kind.field(name).related_model
    queryset = scope_queryset(target.objects.all(), user)
    matches = list(queryset.filter(**{target_field: raw})[:2])
    if not matches:
        raise DomainError(
            _("No %(target)s %(value)r in your area.")
            % {"target": target._meta.verbose_name, "value": raw},
            field=name,
        )
    if len(matches) > 1:
        raise DomainError(
            _("More than one %(target)s is called %(value)r.")
            % {"target": target._meta.verbose_name, "value": raw},
            field=name,
        )
    return matches[0]


def record_clean(
    *, user: User, kind: Kind, data: dict[str, Any], partial: bool = False
) -> dict[str, Any]:
    """Field values ready to save, with `area` set from the location. Raises DomainError per field."""
    values: dict[str, Any] = {}
    for name in kind.columns:
        if name not in data:
            continue
        raw = data[name]
        field = kind.field(name)
        if kind.references and name in kind.references:
            values[name] = _reference(user=user, kind=kind, name=name, raw=raw)
        elif name in ("lon", "lat"):
            continue
        elif name == "id_number":
            values[name] = id_number_clean(raw, field=name)
            values["birth_date"] = id_birth_date(values[name])
            values["gender"] = id_gender(values[name])
        elif kind.pii.get(name) == "phone":
            values[name] = phone_clean(raw, field=name)
        elif field.choices:
            values[name] = choice_clean(field, raw)
        elif isinstance(field, models.IntegerField):
            try:
                values[name] = None if raw in (None, "") and field.null else int(raw)
            except (TypeError, ValueError):
                raise DomainError(
                    _("%(field)s must be a whole number.") % {"field": field.verbose_name},
                    field=name,
                ) from None
            if values[name] is not None and values[name] < 0:
                raise DomainError(
                    _("%(field)s cannot be negative.") % {"field": field.verbose_name}, field=name
                )
        else:
            text = "" if raw is None else str(raw).strip()
            if field.max_length and len(text) > field.max_length:
                raise DomainError(
                    _("%(field)s is longer than %(max)s characters.")
                    % {"field": field.verbose_name, "max": field.max_length},
                    field=name,
                )
            values[name] = text
    if "lon" in data or "lat" in data or not partial:
        values["area"] = area_for_point(user=user, lon=data.get("lon"), lat=data.get("lat"))
        values["lon"], values["lat"] = check_point(data.get("lon"), data.get("lat"))
    if not partial:
        for name in kind.columns:
            field = kind.field(name)
            if not field.blank and values.get(name) in (None, "") and name not in ("lon", "lat"):
                raise DomainError(
                    _("%(field)s is required.") % {"field": field.verbose_name},
                    code="required",
                    field=name,
                )
    return values


def _natural_lookup(kind: Kind, values: dict[str, Any]) -> dict[str, Any] | None:
    lookup = {name: values.get(name) for name in kind.natural_key}
    return lookup if all(v not in (None, "") for v in lookup.values()) else None


def record_create(*, user: User, kind_key: str, data: dict[str, Any]) -> models.Model:
    kind = kind_get(kind_key)
    require_capability(user, Capability.REGISTRY_EDIT)
    values = record_clean(user=user, kind=kind, data=data)
    with transaction.atomic():
        lookup = _natural_lookup(kind, values)
        if lookup and kind.model.objects.filter(**lookup).exists():
            raise Conflict(
                _("This %(kind)s is already registered.") % {"kind": kind.label},
                code="duplicate",
                field=kind.natural_key[0],
            )
        try:
            with transaction.atomic():
                return kind.model.objects.create(**values)
        except IntegrityError:
            raise Conflict(
                _("This %(kind)s is already registered.") % {"kind": kind.label}, code="duplicate"
            ) from None


def record_for_update(*, user: User, kind: Kind, pk: int) -> models.Model:
    record = scope_queryset(kind.model.objects.select_for_update(), user).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("No %(kind)s #%(pk)s in your area.") % {"kind": kind.label, "pk": pk})
    return record


def record_update(*, user: User, kind_key: str, pk: int, data: dict[str, Any]) -> models.Model:
    kind = kind_get(kind_key)
    require_capability(user, Capability.REGISTRY_EDIT)
    with transaction.atomic():
        record = record_for_update(user=user, kind=kind, pk=pk)
        if ("lon" in data) != ("lat" in data):
            data = {"lon": record.lon, "lat": record.lat} | data
        values = record_clean(user=user, kind=kind, data=data, partial=True)
        for name, value in values.items():
            setattr(record, name, value)
        try:
            with transaction.atomic():
                record.save(update_fields=[*values, "updated_at"])
        except IntegrityError:
            raise Conflict(
                _("This %(kind)s is already registered.") % {"kind": kind.label}, code="duplicate"
            ) from None
    return record


def record_delete(*, user: User, kind_key: str, pk: int) -> None:
    kind = kind_get(kind_key)
    require_capability(user, Capability.REGISTRY_EDIT)
    with transaction.atomic():
        record = record_for_update(user=user, kind=kind, pk=pk)
        try:
            record.delete()
        except models.ProtectedError:
            raise Conflict(_("Other records still refer to this one."), code="in_use") from None


def record_upsert_cleaned(*, kind: Kind, values: dict[str, Any]) -> bool:
    """Save cleaned values, updating the record with the same natural key. True if created."""
    lookup = _natural_lookup(kind, values)
    if lookup:
        _record, created = kind.model.objects.update_or_create(**lookup, defaults=values)
        return created
    kind.model.objects.create(**values)
    return True


def unit_link_grids(*, user: User, unit_id: int, grid_codes: list[str]) -> list[str]:
    """Set the grids a unit is linked to (共建/联系网格). Every grid must be in the user's scope."""
    kind = kind_get("units")
    require_capability(user, Capability.REGISTRY_EDIT)
    codes = sorted({normalize_code(code) for code in grid_codes})
    with transaction.atomic():
        unit = record_for_update(user=user, kind=kind, pk=unit_id)
        grids = list(scope_queryset(Area.objects.filter(code__in=codes), user, area_field=""))
        found = {g.code for g in grids}
        missing = [c for c in codes if c not in found]
        if missing:
            raise NotFound(
                _("There is no area with code %(code)s in your scope.") % {"code": missing[0]},
                field="grid_codes",
            )
        not_grids = [g.code for g in grids if g.kind not in (AreaKind.GRID, AreaKind.MICRO_GRID)]
        if not_grids:
            raise DomainError(
                _("Units are linked to grids; %(code)s is not one.") % {"code": not_grids[0]},
                field="grid_codes",
            )
        unit.linked_grids.set(grids)
    return codes
