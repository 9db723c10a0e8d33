"""Writes of the classified assessment: its rules (zones, streets, indicators, bands), and
computing and publishing a year's results. Every write checks the district editor (access.py)
and leaves an audit row (django-auditlog records the model writes)."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.areas.codes import AreaKind
from gridgov.areas.models import Area
from gridgov.assessment.access import district_editor, editor_root, require_editor
from gridgov.assessment.formulas import DEFAULT_SCHEME, DEPARTMENT_PARTS
from gridgov.assessment.indicators import REGISTRY
from gridgov.assessment.models import Indicator, Scheme, Zone, ZoneStreet
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied

MAX_WEIGHT = Decimal("1000")
MAX_INDICATORS = 30


def _zone_for_edit(user: User, zone_id: int) -> Zone:
    if not district_editor(user):
        raise PermissionDenied()
    zone = Zone.objects.select_related("root").filter(pk=zone_id).first()
    if zone is None:
        raise NotFound()
    require_editor(user, zone.root)
    return zone


def _streets(root: Area, codes: list[str]) -> list[Area]:
    codes = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    found = {
        a.code: a
        for a in Area.objects.filter(
            code__in=codes, kind=AreaKind.STREET, path__startswith=root.path
        )
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(
            _("Not a street of this district: %(codes)s") % {"codes": ", ".join(missing)},
            code="not_a_street",
            field="streets",
        )
    return [found[c] for c in codes]


@transaction.atomic
def zone_save(
    *,
    user: User,
    root_code: str | None = None,
    zone_id: int | None = None,
    name: str | None = None,
    focus: str | None = None,
    street_codes: list[str] | None = None,
    position: int | None = None,
) -> Zone:
    """Create a zone (root_code, name) or change one (zone_id). A street belongs to one zone:
    one moved here from another zone is refused (remove it there first)."""
    if zone_id is None:
        root = editor_root(user, root_code)
        if not (name or "").strip():
            raise DomainError(_("Give the zone a name."), field="name")
        zone = Zone(root=root)
    else:
        zone = _zone_for_edit(user, zone_id)
        Zone.objects.select_for_update().filter(pk=zone.pk).first()
    if name is not None:
        if not name.strip():
            raise DomainError(_("Give the zone a name."), field="name")
        zone.name = name.strip()[:100]
    if focus is not None:
        zone.focus = focus.strip()[:2000]
    if position is not None:
        zone.position = max(0, min(int(position), 1000))
    if Zone.objects.filter(root=zone.root, name=zone.name).exclude(pk=zone.pk).exists():
        raise Conflict(_("Another zone has this name."), code="zone_name_taken", field="name")
    zone.save()
    if street_codes is not None:
        streets = _streets(zone.root, street_codes)
        elsewhere = ZoneStreet.objects.filter(street__in=streets).exclude(zone=zone)
        taken = list(elsewhere.values_list("street__name", "zone__name"))
        if taken:
            raise Conflict(
                _("A street is assessed in one zone only: %(list)s")
                % {"list": ", ".join(f"{s} ({z})" for s, z in taken)},
                code="street_in_other_zone",
                field="streets",
            )
        ZoneStreet.objects.filter(zone=zone).exclude(street__in=streets).delete()
        have = set(ZoneStreet.objects.filter(zone=zone).values_list("street_id", flat=True))
        for street in streets:
            if street.pk not in have:
                ZoneStreet.objects.create(zone=zone, street=street)
    return zone


@transaction.atomic
def zone_delete(*, user: User, zone_id: int) -> None:
    zone = _zone_for_edit(user, zone_id)
    zone.delete()  # its streets and indicators with it; results keep their copy of the rules


def _number(value: Any, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a number."), field=field) from None
    if not math.isfinite(number) or abs(number) > 1e9:
        raise DomainError(_("Enter a number."), field=field)
    return number


def _weight(value: Any) -> Decimal:
    try:
        weight = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a weight above 0."), field="weight") from None
    if not weight.is_finite() or weight <= 0 or weight > MAX_WEIGHT:
        raise DomainError(_("Enter a weight above 0 and at most 1000."), field="weight")
    return weight


@transaction.atomic
def indicator_save(
    *,
    user: User,
    zone_id: int | None = None,
    indicator_id: int | None = None,
    key: str | None = None,
    weight: Any = None,
    target: Any = None,
    baseline: Any = None,
    position: int | None = None,
) -> Indicator:
    """Add a registered indicator to a zone (zone_id, key, weight; target and baseline
    default to the indicator's) or change one (indicator_id)."""
    if indicator_id is None:
        if zone_id is None:
            raise DomainError(_("Choose a zone."), field="zone")
        zone = _zone_for_edit(user, zone_id)
        kind = REGISTRY.get(key or "")
        if kind is None:
            raise DomainError(_("Unknown indicator."), code="unknown_indicator", field="key")
        if zone.indicators.filter(key=kind.key).exists():
            raise Conflict(_("The zone already has this indicator."), code="indicator_taken")
        if zone.indicators.count() >= MAX_INDICATORS:
            raise DomainError(_("A zone has at most 30 indicators."), field="key")
        indicator = Indicator(
            zone=zone,
            key=kind.key,
            target=kind.target,
            baseline=kind.baseline,
            position=zone.indicators.count(),
        )
        if weight is None:
            raise DomainError(_("Enter a weight above 0."), field="weight")
    else:
        if not district_editor(user):
            raise PermissionDenied()
        indicator = Indicator.objects.select_related("zone__root").filter(pk=indicator_id).first()
        if indicator is None:
            raise NotFound()
        require_editor(user, indicator.zone.root)
    if weight is not None:
        indicator.weight = _weight(weight)
    if target is not None:
        indicator.target = _number(target, "target")
    if baseline is not None:
        indicator.baseline = _number(baseline, "baseline")
    if position is not None:
        indicator.position = max(0, min(int(position), 1000))
    if indicator.target == indicator.baseline:
        raise DomainError(
            _("The target (100 points) and the baseline (0 points) must differ."), field="target"
        )
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, user: User, indicator_id: int) -> None:
    if not district_editor(user):
        raise PermissionDenied()
    indicator = Indicator.objects.select_related("zone__root").filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound()
    require_editor(user, indicator.zone.root)
    indicator.delete()


def _bands(value: Any, field: str) -> list[list]:
    """[[grade, lower bound], …]: distinct one-letter grades, bounds strictly falling from at
    most 100 to exactly 0, so that every score has one grade."""
    if not isinstance(value, list) or not 2 <= len(value) <= 6:
        raise DomainError(_("Give 2 to 6 grades."), field=field)
    bands: list[list] = []
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise DomainError(_("Each grade is a letter and its lowest score."), field=field)
        # A floor is a JSON number: "90" or true would pass float() and be stored as text
        # or a bool in the rules every later run copies (bool is an int to Python).
        if isinstance(item[1], bool) or not isinstance(item[1], int | float):
            raise DomainError(_("Each grade's lowest score is a number."), field=field)
        grade, lower = str(item[0]).strip().upper(), _number(item[1], field)
        if len(grade) != 1 or not grade.isalpha():
            raise DomainError(_("Each grade is a letter and its lowest score."), field=field)
        bands.append([grade, lower])
    grades = [g for g, _lower in bands]
    lows = [lower for _g, lower in bands]
    if len(set(grades)) != len(grades) or lows != sorted(set(lows), reverse=True):
        raise DomainError(_("Grades must differ and their lowest scores fall."), field=field)
    if lows[0] > 100 or lows[-1] != 0:
        raise DomainError(
            _("The lowest grade starts at 0, the highest at most at 100."), field=field
        )
    return bands


@transaction.atomic
def scheme_save(
    *,
    user: User,
    root_code: str | None = None,
    street_grades: Any = None,
    community_grades: Any = None,
    department_weights: Any = None,
) -> Scheme:
    root = editor_root(user, root_code)
    scheme, _created = Scheme.objects.select_for_update().get_or_create(
        root=root,
        defaults={
            "street_grades": DEFAULT_SCHEME["street_grades"],
            "community_grades": DEFAULT_SCHEME["community_grades"],
            "department_weights": DEFAULT_SCHEME["department_weights"],
        },
    )
    changed = []
    if street_grades is not None:
        scheme.street_grades = _bands(street_grades, "street_grades")
        changed.append("street_grades")
    if community_grades is not None:
        scheme.community_grades = _bands(community_grades, "community_grades")
        changed.append("community_grades")
    if department_weights is not None:
        if not isinstance(department_weights, dict) or set(department_weights) - set(
            DEPARTMENT_PARTS
        ):
            raise DomainError(
                _("Weights for check_in, report_back and rating only."),
                field="department_weights",
            )
        weights = {
            p: _number(department_weights.get(p, 0), "department_weights") for p in DEPARTMENT_PARTS
        }
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise DomainError(_("Weights are 0 or more, not all 0."), field="department_weights")
        scheme.department_weights = weights
        changed.append("department_weights")
    if changed:
        scheme.save(update_fields=changed)
    return scheme


def scheme_of(root: Area) -> dict[str, Any]:
    scheme = Scheme.objects.filter(root=root).first()
    found = dict(DEFAULT_SCHEME)
    if scheme is not None:
        for name in DEFAULT_SCHEME:
            if getattr(scheme, name):
                found[name] = getattr(scheme, name)
    return found
