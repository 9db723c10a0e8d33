"""The registry's data quality (数据质量): what is missing or wrong, per grid, as figures for the
leaders and as a worklist for the grid worker — issue 12.

Every figure is a GROUP BY over the grid (`area_id`) in the database, rolled up to the
communities in Python over the few hundred grids, never a loop over the residents: a city
holds a million of them. The checks, as written on the page:

- households_empty: a household not marked vacant in which nobody lives (no living member);
- people_bad_id: a living person whose ID number is not a valid 18-character number (17 digits
  and a digit or X, a province's region code, a real month and day, the check digit right) —
  the services refuse such numbers, so these come from older data;
- people_no_phone: a living adult of 16 to 80 without a phone number;
- addresses_nonstandard: a household without an address, or neither in a building, nor with a
  room, nor with a door number ("179号") in its address — it cannot be found on the
  standard address (标准地址);
- people_duplicate: a living person with the same name and birth date as a living person of
  another household (the same ID number twice the database already refuses);
- households_same_address: two households or more at the same address, building and room;
- tags_review_overdue: a live special-group membership whose review is overdue. Sensitive groups
  only for a role with CARE_SENSITIVE_VIEW (for anyone else they are not counted at all), and a
  worklist that shows sensitive memberships is recorded as a read of them.
"""

import datetime as dt

from django.core.cache import cache
from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, Length, Mod, StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, require_capability, scope_queryset
from gridgov.areas.codes import AreaKind, normalize_code
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag
from gridgov.common.errors import DomainError, NotFound
from gridgov.registry.models import Household, Resident

CHECKS: dict[str, object] = {
    "households_empty": gettext_lazy("Households where nobody lives"),
    "people_bad_id": gettext_lazy("People without a valid ID number"),
    "people_no_phone": gettext_lazy("Adults (16–80) without a phone"),
    "addresses_nonstandard": gettext_lazy("Households not on a standard address"),
    "people_duplicate": gettext_lazy("Same name and birth date in two households"),
    "households_same_address": gettext_lazy("Households at the same address"),
    "tags_review_overdue": gettext_lazy("Special groups overdue for review"),
}
GRID_KINDS = (AreaKind.GRID, AreaKind.MICRO_GRID)
# A door number in an address: "179号", "12号附1", "3-2号".
DOOR_NUMBER = r"[0-9]+(-[0-9]+)?号"

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARS = "10X98765432"
_PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
]  # fmt: skip
# Every month-and-day of a leap year: "0230" is not a date, "0229" is taken as one.
_MONTH_DAYS = [
    f"{day:%m%d}" for day in (dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(366))
]


def _living(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status=Resident.Status.LIVING)


def _digit(position: int):
    """The digit at `position` (1-based) of the ID number, -1 for any other character: a
    lookup in a string rather than a cast, which PostgreSQL would refuse for an "X"."""
    return StrIndex(Value("0123456789"), Substr("id_number", position, 1)) - 1


def people_bad_id(residents: QuerySet) -> QuerySet:
    """Living people whose ID number pii.id_number_clean would refuse, as one SQL query."""
    checksum = sum(_digit(i + 1) * weight for i, weight in enumerate(_WEIGHTS))
    annotated = _living(residents).annotate(
        _id_length=Length("id_number"),
        _id_province=Substr("id_number", 1, 2),
        _id_birth=Substr("id_number", 7, 8),
        _id_month_day=Substr("id_number", 11, 4),
        _id_check=Substr("id_number", 18, 1),
        _id_expected=Substr(Value(_CHECK_CHARS), Mod(checksum, 11) + 1, 1),
    )
    valid = Q(
        _id_length=18,
        id_number__regex=r"^[0-9]{17}[0-9X]$",
        _id_province__in=_PROVINCES,
        _id_month_day__in=_MONTH_DAYS,
        _id_birth__gte="19000101",
        _id_birth__lte=timezone.localdate().strftime("%Y%m%d"),
        _id_check=F("_id_expected"),
    )
    return annotated.exclude(valid)


def people_no_phone(residents: QuerySet) -> QuerySet:
    today = timezone.localdate()
    return _living(residents).filter(
        phone="",
        birth_date__lte=_years_before(today, 16),
        birth_date__gt=_years_before(today, 81),
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def households_empty(households: QuerySet) -> QuerySet:
    someone = Resident.objects.filter(household=OuterRef("pk"), status=Resident.Status.LIVING)
    return households.exclude(occupancy=Household.Occupancy.VACANT).exclude(Exists(someone))


def addresses_nonstandard(households: QuerySet) -> QuerySet:
    """Without an address, or with nothing that finds the door: no building, no room and no
    door number in the address (a village house is "…龙山村179号": on a standard address)."""
    no_door = Q(building__isnull=True, room="") & ~Q(address__regex=DOOR_NUMBER)
    return households.filter(Q(address="") | no_door)


def households_same_address(households: QuerySet) -> QuerySet:
    """Households sharing an address, building and room with another household in `households`
    (the scope: a household elsewhere is not named to someone who may not see it).

    One key per household (a NULL building is building 0 here, as SQL would not match NULLs);
    the keys held twice come from one GROUP BY that the outer query probes as a hashed IN."""
    keyed = households.exclude(address="").annotate(
        _place=Concat(
            "address",
            Value("|"),
            Cast(Coalesce("building_id", 0), CharField()),
            Value("|"),
            "room",
            output_field=CharField(),
        )
    )
    shared = keyed.order_by().values("_place").annotate(n=Count("pk")).filter(n__gt=1)
    return keyed.filter(_place__in=shared.values("_place"))


def people_duplicate(residents: QuerySet) -> QuerySet:
    """Living people sharing name and birth date with a living person of another household in
    the same scope: the keys in more than one household (MIN < MAX: a hash aggregate, where a
    COUNT(DISTINCT) would sort the million) probed as a hashed IN."""
    keyed = _living(residents).annotate(
        _who=Concat("name", Value("|"), Cast("birth_date", CharField()), output_field=CharField())
    )
    shared = (
        keyed.order_by()
        .values("_who")
        .annotate(first=Min("household_id"), last=Max("household_id"))
        .filter(last__gt=F("first"))
    )
    return keyed.filter(_who__in=shared.values("_who"))


def visible_tags(*, sensitive: bool) -> QuerySet:
    """The special groups a user may learn of: the sensitive ones only with the right
    (Capability.CARE_SENSITIVE_VIEW, passed as `sensitive`)."""
    tags = CareTag.objects.all()
    return tags if sensitive else tags.filter(sensitive=False)


def tags_review_overdue(tags: QuerySet, *, sensitive: bool) -> QuerySet:
    return tags.filter(
        ended_on__isnull=True,
        review_due__lt=timezone.localdate(),
        tag__in=visible_tags(sensitive=sensitive),
        resident__status=Resident.Status.LIVING,
    )


def quality_area(*, user: User, code: str | None) -> Area:
    """The area asked for (the user's own when none), inside the user's scope, or NotFound."""
    require_capability(user, Capability.REGISTRY_VIEW)
    areas = scope_queryset(Area.objects.all(), user, area_field="")
    if code:
        try:
            area = areas.filter(code=normalize_code(code)).first()
        except DomainError:  # not a code at all: as unknown as a code that is not in scope
            area = None
    elif user.area_id:
        area = areas.filter(pk=user.area_id).first()
    else:  # a superuser without an area: the top of the tree
        area = areas.order_by("depth", "code").first()
    if area is None:
        raise NotFound(
            _("There is no area with code %(code)s in your scope.") % {"code": code or "-"},
            field="area",
        )
    return area


def _in_area(queryset: QuerySet, area_ids: list[int]) -> QuerySet:
    """Records of the area's subtree by the ids of its areas (an indexed IN on `area_id`),
    not by a join on the areas' paths, which SQLite's planner turns into a scan of every
    resident with the checks evaluated on each."""
    return queryset.filter(area_id__in=area_ids)


def subtree_ids(area: Area) -> list[int]:
    return list(Area.objects.filter(path__startswith=area.path).values_list("pk", flat=True))


def check_querysets(area_ids: list[int], *, sensitive: bool) -> dict[str, QuerySet]:
    households = _in_area(Household.objects.all(), area_ids)
    residents = _in_area(Resident.objects.all(), area_ids)
    return {
        "households_empty": households_empty(households),
        "people_bad_id": people_bad_id(residents),
        "people_no_phone": people_no_phone(residents),
        "addresses_nonstandard": addresses_nonstandard(households),
        "people_duplicate": people_duplicate(residents),
        "households_same_address": households_same_address(households),
        "tags_review_overdue": tags_review_overdue(
            _in_area(ResidentTag.objects.all(), area_ids), sensitive=sensitive
        ),
    }


def _per_grid(queryset: QuerySet) -> dict[int, int]:
    return dict(queryset.order_by().values_list("area_id").annotate(n=Count("pk")))


def _rows_of(area: Area) -> list[Area]:
    """What the figures are broken down by: the communities under a street or anything above,
    the grids under a community, the area itself for a grid."""
    if area.kind in GRID_KINDS:
        return [area]
    below = Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk)
    if area.kind == AreaKind.COMMUNITY:
        return list(below.filter(kind=AreaKind.GRID).order_by("code"))
    return list(below.filter(kind=AreaKind.COMMUNITY).order_by("code"))


# Figures of a street or more are kept this long: a city's checks scan a million residents,
# and a leader's page need not be newer than a few minutes (the page says as of when).
FIGURES_CACHE_SECONDS = 30 * 60
CACHED_ABOVE = (AreaKind.COMMUNITY, *GRID_KINDS)


def quality_figures(*, user: User, area_code: str | None = None) -> dict:
    """Counts of every check per community (or grid) under the area, with the area's totals.

    One GROUP BY per check (and two for the sizes), whatever the number of residents; for a
    street or more, kept for FIGURES_CACHE_SECONDS per area and per sensitive right."""
    area = quality_area(user=user, code=area_code)
    sensitive = can(user, Capability.CARE_SENSITIVE_VIEW)
    key = _figures_key(area, sensitive=sensitive)
    counted = cache.get(key) if area.kind not in CACHED_ABOVE else None
    if counted is None:
        counted = _figures_counted(area, sensitive=sensitive)
        if area.kind not in CACHED_ABOVE:
            cache.set(key, counted, FIGURES_CACHE_SECONDS)
    return {
        "area": {"code": area.code, "name": area.name, "kind": area.kind},
        "checks": [{"key": key, "label": str(label)} for key, label in CHECKS.items()],
        **counted,
    }


def _figures_key(area: Area, *, sensitive: bool) -> str:
    return f"care:quality:figures:{area.pk}:{int(sensitive)}"


def quality_figures_warm() -> int:
    """Count the figures of every street and area above, for both rights, into the cache, so
    that no leader waits for a cold count (seconds at a million residents). For a periodic
    task more often than FIGURES_CACHE_SECONDS; returns the number of areas counted."""
    areas = Area.objects.exclude(kind__in=CACHED_ABOVE)
    for area in areas:
        for sensitive in (False, True):
            counted = _figures_counted(area, sensitive=sensitive)
            cache.set(_figures_key(area, sensitive=sensitive), counted, FIGURES_CACHE_SECONDS)
    return len(areas)


def _figures_counted(area: Area, *, sensitive: bool) -> dict:
    rows_areas = _rows_of(area)
    grids = dict(Area.objects.filter(path__startswith=area.path).values_list("pk", "path"))
    area_ids = list(grids)
    sizes = {
        "households": _per_grid(_in_area(Household.objects.all(), area_ids)),
        "residents": _per_grid(_living(_in_area(Resident.objects.all(), area_ids))),
    }
    per_check = {
        name: _per_grid(queryset)
        for name, queryset in check_querysets(area_ids, sensitive=sensitive).items()
    }

    def rolled(counts: dict[int, int], row: Area) -> int:
        return sum(n for pk, n in counts.items() if grids.get(pk, "").startswith(row.path))

    rows = [
        {
            "code": row_area.code,
            "name": row_area.name,
            "kind": row_area.kind,
            "households": rolled(sizes["households"], row_area),
            "residents": rolled(sizes["residents"], row_area),
            "counts": {name: rolled(counts, row_area) for name, counts in per_check.items()},
        }
        for row_area in rows_areas
    ]
    totals = {
        "households": sum(sizes["households"].values()),
        "residents": sum(sizes["residents"].values()),
        "counts": {name: sum(counts.values()) for name, counts in per_check.items()},
    }
    return {"rows": rows, "totals": totals, "counted_at": timezone.now()}
