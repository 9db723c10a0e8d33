"""The seeds' numbers, configurable per deployment (GRIDGOV_PARTY_BOUNDS, JSON).

Gucheng (the seed): each central household links 2–5 members, each member 5–15 households,
every household should have a member; members over 70 or ill may be exempt. A compound with
3 or more formal members should have its own branch; fewer join a joint branch.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Bounds:
    members_per_central: tuple[int, int] = (2, 5)
    households_per_member: tuple[int, int] = (5, 15)
    exempt_age: int = 70
    own_branch_from: int = 3  # formal members in a compound


def bounds() -> Bounds:
    custom = getattr(settings, "GRIDGOV_PARTY_BOUNDS", {}) or {}
    default = Bounds()
    return Bounds(
        members_per_central=tuple(custom.get("members_per_central", default.members_per_central)),
        households_per_member=tuple(
            custom.get("households_per_member", default.households_per_member)
        ),
        exempt_age=int(custom.get("exempt_age", default.exempt_age)),
        own_branch_from=int(custom.get("own_branch_from", default.own_branch_from)),
    )


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_exempt(exempt_flag: bool, birth: dt.date, day: dt.date, limit: int) -> bool:
    return exempt_flag or age_on(birth, day) >= limit
