"""Offers of a task to grid workers and department handlers, and whom a dispatch goes to."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Department
from gridgov.common.errors import DomainError, NotFound
from gridgov.events.models import Assignment, Event


def _offer_decide(event: Event, user: User, status: str, reason: str, now: dt.datetime) -> None:
    updated = event.assignments.filter(
        worker=user, status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
    ).update(status=status, reason=reason[:300], decided_at=now)
    if not updated and status == Assignment.Status.ACCEPTED:
        # Taking a task nobody offered (a department handler, or a worker stepping in).
        Assignment.objects.create(event=event, worker=user, status=status, decided_at=now)


def _offers_replace(event: Event, workers: list[User], now: dt.datetime) -> None:
    """Reassignment: offers to people no longer chosen are withdrawn; new ones are offered."""
    keep = {w.pk for w in workers}
    live = event.assignments.filter(
        status__in=(Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
    )
    live.exclude(worker_id__in=keep).update(status=Assignment.Status.WITHDRAWN, decided_at=now)
    have = set(live.filter(worker_id__in=keep).values_list("worker_id", flat=True))
    Assignment.objects.bulk_create(
        [Assignment(event=event, worker=w) for w in workers if w.pk not in have]
    )


def _dispatch_targets(
    user: User, event: Event, data: dict[str, Any]
) -> tuple[Department | None, list[User]]:
    department = None
    if data.get("department_id"):
        department = (
            Department.objects.filter(pk=data["department_id"]).select_related("area").first()
        )
        if department is None:
            raise NotFound(_("No such department."), field="department_id")
        if not event.area.path.startswith(department.area.path):
            raise DomainError(
                _("This department does not answer for the event's area."), field="department_id"
            )
    ids = list(data.get("assignee_ids") or [])
    if data.get("assignee_id") and data["assignee_id"] not in ids:
        ids.insert(0, data["assignee_id"])
    if len(ids) > 20:
        raise DomainError(_("Dispatch to at most 20 people at once."), field="assignee_ids")
    found = (
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("area", "department__area")
        .in_bulk()
    )
    workers = []
    for person_id in dict.fromkeys(ids):
        assignee = found.get(person_id)
        if assignee is None:
            raise NotFound(_("No such user: %(id)s.") % {"id": person_id}, field="assignee_id")
        # A worker by their area; a department's handler by the area their department answers
        # for, the same rule as dispatching to the department itself.
        answers_for = (
            assignee.department.area.path
            if assignee.department_id
            else (assignee.area.path if assignee.area_id else None)
        )
        if assignee.role not in (Role.GRID_WORKER, Role.GRID_HEAD, Role.DEPARTMENT_HANDLER) or not (
            answers_for is not None and event.area.path.startswith(answers_for)
        ):
            raise DomainError(
                _("%(name)s cannot take the event's area.") % {"name": assignee.username},
                field="assignee_id",
            )
        workers.append(assignee)
    if (
        any(w.role in (Role.GRID_WORKER, Role.GRID_HEAD) for w in workers)
        and not event.subclass.in_grid_list
    ):
        # 入格事项清单: only listed matters may be given to grid staff.
        raise DomainError(
            _("%(kind)s is not on the grid admission list; dispatch it to a department.")
            % {"kind": event.subclass.name_zh},
            code="not_in_grid_list",
            field="assignee_id",
        )
    if department is None and not workers:
        suggested = routing_candidates(event)
        if not suggested:
            raise DomainError(
                _("Choose a department or a person to dispatch to."),
                code="required",
                field="department_id",
            )
        department = suggested[0]
    return department, workers


def routing_candidates(event: Event) -> list[Department]:
    """Departments the routing table names for the event's subclass, nearest area first."""
    ancestors = [c for c in event.area.path.strip("/").split("/") if c]
    rules = (
        Department.objects.filter(routes__subclass=event.subclass, routes__area__code__in=ancestors)
        .select_related("area")
        .distinct()
    )
    return sorted(rules, key=lambda d: -d.area.depth)
