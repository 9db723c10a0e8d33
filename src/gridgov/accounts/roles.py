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


_STAFF_READ = {Capability.AREAS_VIEW, Capability.REGISTRY_VIEW}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OPERATOR: frozenset(_STAFF_READ),
    Role.SHIFT_LEADER: frozenset(_STAFF_READ | {Capability.CAMPAIGNS_EDIT}),
    # Grid workers keep the archive of their grid and visit households: they need phones.
    Role.GRID_WORKER: frozenset(_STAFF_READ | {Capability.REGISTRY_EDIT, Capability.PII_VIEW}),
    Role.GRID_HEAD: frozenset(_STAFF_READ | {Capability.REGISTRY_EDIT, Capability.PII_VIEW}),
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
        }
    ),
    Role.PARTY_SECRETARY: frozenset(_STAFF_READ | {Capability.PARTY_EDIT}),
    Role.SERVICE_PROVIDER: frozenset({Capability.AREAS_VIEW}),
    Role.RESIDENT: frozenset(),
    Role.LEADER: frozenset(_STAFF_READ | {Capability.CAMPAIGNS_EDIT}),
}

STAFF_ROLES = frozenset(role for role, caps in ROLE_CAPABILITIES.items() if caps)
