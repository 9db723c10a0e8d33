"""The roles of SPEC "Who uses it" and what each may do: one table, read everywhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Command-center operator")
    SHIFT_LEADER = "shift_leader", _("Shift leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_HEAD = "grid_head", _("Grid head")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    AREA_STAFF = "area_staff", _("Street/community staff")
    PARTY_SECRETARY = "party_secretary", _("Party secretary/organizer")
    SERVICE_PROVIDER = "service_provider", _("Service company/volunteer team")
    RESIDENT = "resident", _("Resident")
    LEADER = "leader", _("Leader")


class Capability(models.TextChoices):
    AREAS_VIEW = "areas.view"
    AREAS_EDIT = "areas.edit"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    # Reading ID numbers, phones and residents' addresses unmasked (each read audited).
    PII_VIEW = "pii.view"
    ACCOUNTS_EDIT = "accounts.edit"
    # Defining canvass campaigns and patrol plans for an area.
    CAMPAIGNS_EDIT = "campaigns.edit"
    # Party organizations, members, points and gradings of an area.
    PARTY_EDIT = "party.edit"
    # Reads (issue 8): each names what a role may read in its area; without it, nothing.
    # Events of the area; department handlers read by their department, residents their own.
    EVENTS_VIEW = "events.view"
    # The command center's big screen (every open event and on-duty worker of the area).
    SCREEN_VIEW = "screen.view"
    # Where other workers are: nearest workers, their tracks, the dispatch panel's staff.
    POSITIONS_VIEW = "positions.view"
    # Party organizations, members, rankings, publications and the Party map.
    PARTY_VIEW = "party.view"
    # Smart-code plate jobs and their PDFs, patrol coverage.
    CODES_VIEW = "codes.view"
    # The sensitive special groups (community correction, drug rehabilitation, serious
    # mental illness): the tag and the people in it, every read audited (issue 12).
    CARE_SENSITIVE_VIEW = "care.sensitive"
    # The leaders' analytics (issue 13): rates by any grouping and period, KPIs of people,
    # hotspots and recurring problems, reports and the event export, of one's own area.
    ANALYTICS_VIEW = "analytics.view"
    # Zones, indicators, weights and targets of the classified assessment, and freezing and
    # publishing its results (district level only; the service checks the level).
    ASSESSMENT_EDIT = "assessment.edit"


_STAFF_READ = {Capability.AREAS_VIEW, Capability.REGISTRY_VIEW}
# The command center and leaders watch the area: its events, the screen, where workers are.
_CENTER_READ = {
    Capability.EVENTS_VIEW,
    Capability.SCREEN_VIEW,
    Capability.POSITIONS_VIEW,
    Capability.ANALYTICS_VIEW,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OPERATOR: frozenset(_STAFF_READ | _CENTER_READ),
    Role.SHIFT_LEADER: frozenset(
        _STAFF_READ | _CENTER_READ | {Capability.CAMPAIGNS_EDIT, Capability.CODES_VIEW}
    ),
    # Grid workers keep the archive of their grid and visit households: they need phones.
    Role.GRID_WORKER: frozenset(
        _STAFF_READ
        | {
            Capability.REGISTRY_EDIT,
            Capability.PII_VIEW,
            Capability.EVENTS_VIEW,
            Capability.CODES_VIEW,
            Capability.CARE_SENSITIVE_VIEW,
        }
    ),
    # Grid heads lead the grid's workers: their positions and tracks too.
    Role.GRID_HEAD: frozenset(
        _STAFF_READ
        | {
            Capability.REGISTRY_EDIT,
            Capability.PII_VIEW,
            Capability.EVENTS_VIEW,
            Capability.POSITIONS_VIEW,
            Capability.CODES_VIEW,
            Capability.CARE_SENSITIVE_VIEW,
        }
    ),
    Role.DEPARTMENT_HANDLER: frozenset({Capability.AREAS_VIEW}),
    Role.AREA_STAFF: frozenset(
        _STAFF_READ
        | {
            Capability.AREAS_EDIT,
            Capability.REGISTRY_EDIT,
            Capability.PII_VIEW,
            Capability.ACCOUNTS_EDIT,
            Capability.CAMPAIGNS_EDIT,
            Capability.PARTY_EDIT,
            Capability.PARTY_VIEW,
            Capability.CODES_VIEW,
            Capability.CARE_SENSITIVE_VIEW,
            Capability.ASSESSMENT_EDIT,
        }
        | _CENTER_READ
    ),
    Role.PARTY_SECRETARY: frozenset(_STAFF_READ | {Capability.PARTY_EDIT, Capability.PARTY_VIEW}),
    # Service companies and volunteer teams see the map, nothing of events, people or Party.
    Role.SERVICE_PROVIDER: frozenset({Capability.AREAS_VIEW}),
    Role.RESIDENT: frozenset(),
    Role.LEADER: frozenset(
        _STAFF_READ
        | _CENTER_READ
        | {
            Capability.CAMPAIGNS_EDIT,
            Capability.PARTY_VIEW,
            Capability.CODES_VIEW,
            Capability.ASSESSMENT_EDIT,
        }
    ),
}

STAFF_ROLES = frozenset(role for role, caps in ROLE_CAPABILITIES.items() if caps)


# Who may manage whom: a user with ACCOUNTS_EDIT creates and edits only users whose rank
# is strictly below their own (and only inside their area subtree). Area staff rank by the
# level of their area: district staff > street staff > community staff; the other roles
# sit at fixed places under the level that usually appoints them.
AREA_STAFF_RANK_BY_LEVEL: dict[str, int] = {
    "province": 100,
    "city": 100,
    "county": 100,
    "street": 80,
    "community": 70,
    "grid": 65,
    "micro_grid": 65,
}
ROLE_RANK: dict[str, int] = {
    Role.LEADER: 90,
    Role.SHIFT_LEADER: 85,
    Role.OPERATOR: 75,
    Role.PARTY_SECRETARY: 60,
    Role.GRID_HEAD: 50,
    Role.DEPARTMENT_HANDLER: 40,
    Role.GRID_WORKER: 30,
    Role.SERVICE_PROVIDER: 20,
    Role.RESIDENT: 10,
}
SUPERUSER_RANK = 1000


def role_rank(role: str, area_kind: str | None) -> int:
    """The rank of `role` held over an area of level `area_kind` (None: no area)."""
    if role == Role.AREA_STAFF:
        return AREA_STAFF_RANK_BY_LEVEL.get(area_kind or "", 0)
    return ROLE_RANK.get(role, 0)
