"""Who hears about an event, told after the commit."""

from django.db import transaction

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.codes import ancestor_paths
from gridgov.areas.models import Department
from gridgov.events.models import Event


def people_of(
    event: Event, *, department: Department | None = None, with_center: bool = False
) -> list[User]:
    """Who hears about an event: its assignee, the staff of its department, and (for warnings)
    the shift leaders whose area holds it."""
    people = [event.assignee] if event.assignee_id else []
    department_id = department.pk if department else event.department_id
    if department_id:
        people += list(User.objects.filter(department_id=department_id, is_active=True))
    if with_center:
        people += list(
            User.objects.filter(
                role=Role.SHIFT_LEADER,
                is_active=True,
                area__path__in=ancestor_paths(event.area.path),
            )
        )
    return people


def supervisors_of(event: Event) -> list[User]:
    """Who hears of a 督办: who handles the case (its assignee, the staff of its dispatched
    department, whose leader sits in that department if it has one) and who leads the
    assignee: the grid heads and street/community staff of the assignee's grid and above.
    A case nobody holds yet is the center's: its shift leaders hear instead."""
    people = people_of(event)
    assignee = event.assignee if event.assignee_id else None
    if assignee is not None and assignee.area_id:
        people += list(
            User.objects.filter(
                role__in=(Role.GRID_HEAD, Role.AREA_STAFF),
                is_active=True,
                area__path__in=ancestor_paths(assignee.area.path),
            ).exclude(pk=assignee.pk)
        )
    if not people:
        people = people_of(event, with_center=True)
    return people


def notify_after_commit(people: list[User], kind: str, text: str, event: Event) -> None:
    from gridgov.notifications.services import notify

    transaction.on_commit(lambda: notify(users=people, kind=kind, text=text, event=event))
