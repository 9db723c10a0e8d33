"""Division and grid codes (GB/T 2260 + GB/T 10114, DB11/T 2157-2023).

Codes are kept in their natural length, the form the statistical tables and the
china-division files use: province 2, city 4, county 6, street/town 9,
community/village 12, unit grid 15 (community + 3-digit number), micro-grid 18
(our extension: grid + 3 digits). All lengths live here and nowhere else.
"""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.common.errors import DomainError


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("District/county")
    STREET = "street", _("Street/town")
    COMMUNITY = "community", _("Community/village")
    GRID = "grid", _("Grid")
    MICRO_GRID = "micro_grid", _("Micro-grid")


CODE_LENGTH: dict[str, int] = {
    AreaKind.PROVINCE: 2,
    AreaKind.CITY: 4,
    AreaKind.COUNTY: 6,
    AreaKind.STREET: 9,
    AreaKind.COMMUNITY: 12,
    AreaKind.GRID: 15,
    AreaKind.MICRO_GRID: 18,
}
KIND_BY_LENGTH = {length: kind for kind, length in CODE_LENGTH.items()}
KIND_ORDER = list(CODE_LENGTH)
DIGITS = re.compile(r"^[0-9]+$")


def kind_for_code(code: str) -> str:
    kind = KIND_BY_LENGTH.get(len(code))
    if kind is None or not DIGITS.match(code):
        raise DomainError(
            _(
                "Code %(code)r is not a division or grid code: expected 2, 4, 6, 9, 12, 15 or 18 digits."
            )
            % {"code": code},
            code="bad_code",
            field="code",
        )
    return kind


def normalize_code(raw: str | int) -> str:
    """Accept the forms people send and return the natural code.

    - 12-digit statistical forms padded with zeros (530702000000 → 530702,
      530702001000 → 530702001);
    - 14-digit CJ/T 213 grid codes (community + 2 digits) → 15 digits.
    """
    code = str(raw).strip()
    if not DIGITS.match(code):
        raise DomainError(
            _("Code %(code)r must contain digits only.") % {"code": code},
            code="bad_code",
            field="code",
        )
    if len(code) == 12:
        if code.endswith("0000000000"):
            code = code[:2]
        elif code.endswith("00000000"):
            code = code[:4]
        elif code.endswith("000000"):
            code = code[:6]
        elif code.endswith("000"):
            code = code[:9]
    elif len(code) == 14:
        code = code[:12] + "0" + code[12:]
    kind_for_code(code)
    return code


def code12(code: str) -> str | None:
    """The 12-digit statistical form of a division code (None below community level)."""
    return code.ljust(12, "0") if len(code) <= 12 else None


def check_child_code(parent_code: str | None, code: str) -> None:
    if parent_code is None:
        return
    if not code.startswith(parent_code) or len(code) <= len(parent_code):
        raise DomainError(
            _("Code %(code)s does not continue its parent's code %(parent)s.")
            % {"code": code, "parent": parent_code},
            code="bad_code",
            field="code",
        )


def level_name(kind: str) -> str:
    """The display name of a level: GRIDGOV_LEVEL_NAMES overrides (a district may say 片区
    for its streets, say), else the translated default (区/县, 街道/乡镇, 社区/村, 网格, 微网格)."""
    return settings.GRIDGOV_LEVEL_NAMES.get(kind) or str(AreaKind(kind).label)


def ancestor_paths(path: str) -> list[str]:
    """The materialized paths of an area and of every area above it, top first:
    "/530702/530702001/" → ["/530702/", "/530702/530702001/"]."""
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
