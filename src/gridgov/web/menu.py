"""The top menu offers only what the signed-in person may open (a resident is not sent to
the command center's screen or the back office to be refused there)."""

from django.http import HttpRequest

from gridgov.accounts.roles import STAFF_ROLES, Capability, Role
from gridgov.accounts.scope import can


def menu(request: HttpRequest) -> dict:
    user = request.user
    department = bool(getattr(user, "department_id", None))
    # A resident is offered the resident pages (/r/), never a staff entry.
    resident = bool(user.is_authenticated and user.role == Role.RESIDENT)
    analytics = can(user, Capability.ANALYTICS_VIEW)
    field = bool(user.is_authenticated and user.role in (Role.GRID_WORKER, Role.GRID_HEAD))
    return {
        "menu": {
            "map": can(user, Capability.AREAS_VIEW),
            "screen": can(user, Capability.SCREEN_VIEW),
            "events": can(user, Capability.EVENTS_VIEW) or department,
            "party": can(user, Capability.PARTY_VIEW),
            "registry": can(user, Capability.REGISTRY_VIEW),
            # The leaders' pages (issue 13): the dashboard, hotspots and reports for readers
            # of the area's analytics; a field worker or a department sees its own KPIs, a
            # department its own published assessment.
            "analytics": analytics,
            "kpis": analytics or field or department,
            "assessment": analytics or department,
            "back_office": bool(
                user.is_authenticated
                and (user.is_superuser or (user.is_staff and user.role in STAFF_ROLES))
            ),
            "api": can(user, Capability.AREAS_VIEW),
            "resident": resident,
        }
    }
