"""Which channel (`Event.source`) a report came through, derived from who reports.

The source feeds the rates (12345 hotline rate, resident share) and decides what Open311
publishes, so a caller must not choose it (issue 8): a resident's report is a resident
report whatever the request says; a grid worker reports from the field; the center takes
hotline calls and referrals. Reports with no person behind them come from the public form,
a signed camera webhook or an Open311 client with its key.
"""

from gridgov.accounts.roles import Role
from gridgov.events.models import Source

# With no user: intake code that authenticated the channel itself (webhook signature,
# Open311 key) or the public form, which is a resident's.
WITHOUT_PERSON = (Source.RESIDENT, Source.CAMERA, Source.OPEN311)
CENTER_CHANNELS = (Source.HOTLINE, Source.REFERRAL)
FIELD_CHANNELS = (Source.WORKER,)
STAFF_CHANNELS = (Source.WORKER, Source.REFERRAL)  # meetings hand resolutions over as referrals

# The first channel is the one used when the request names none the role may use.
CHANNELS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.RESIDENT: (Source.RESIDENT,),
    Role.GRID_WORKER: FIELD_CHANNELS,
    Role.GRID_HEAD: FIELD_CHANNELS,
    Role.DEPARTMENT_HANDLER: FIELD_CHANNELS,
    Role.SERVICE_PROVIDER: FIELD_CHANNELS,
    Role.OPERATOR: CENTER_CHANNELS,
    Role.SHIFT_LEADER: CENTER_CHANNELS,
    Role.AREA_STAFF: STAFF_CHANNELS,
    Role.PARTY_SECRETARY: STAFF_CHANNELS,
    Role.LEADER: STAFF_CHANNELS,
}


def channels_for(user) -> tuple[str, ...]:
    """The sources `user` may report through (None: intake code without a person)."""
    if user is None:
        return WITHOUT_PERSON
    if not user.is_authenticated:
        return (Source.RESIDENT,)
    if user.is_superuser:
        return tuple(Source.values)
    return CHANNELS_BY_ROLE.get(user.role, (Source.RESIDENT,))


def report_source(user, requested: str | None) -> str:
    """The source of a report by `user`: the requested one when the role may use it,
    else the role's own channel."""
    channels = channels_for(user)
    return requested if requested in channels else channels[0]
