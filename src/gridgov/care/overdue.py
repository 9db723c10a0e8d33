"""The daily warning of overdue visits: each grid's workers are told who in their grid is
overdue, at most once per person per day. A membership is claimed for the day by
compare-and-swap on `overdue_warned_on`, so two consumers running the task at once warn
once; a worker gets one message listing the people, not one per person."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability, Role
from gridgov.care.models import ResidentTag
from gridgov.notifications.services import notify
from gridgov.registry.models import Resident

KIND = "care_overdue"


def _claimed(today: dt.date) -> list[ResidentTag]:
    due = (
        ResidentTag.objects.filter(
            ended_on__isnull=True,
            visit_due__lt=today,
            tag__active=True,
            resident__status=Resident.Status.LIVING,
        )
        .filter(Q(overdue_warned_on__isnull=True) | Q(overdue_warned_on__lt=today))
        .select_related("tag", "resident", "area")
        .order_by("visit_due")
    )
    claimed = []
    for membership in due.iterator():
        won = (
            ResidentTag.objects.filter(pk=membership.pk)
            .filter(Q(overdue_warned_on__isnull=True) | Q(overdue_warned_on__lt=today))
            .update(overdue_warned_on=today)
        )
        if won:
            claimed.append(membership)
    return claimed


def _workers_of(area) -> list[User]:
    """The active grid workers whose area holds `area` (the grid or a grid above a micro-grid)."""
    codes = [part for part in area.path.strip("/").split("/") if part]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return list(User.objects.filter(role=Role.GRID_WORKER, is_active=True, area__path__in=paths))


def _line(people: dict[int, list[ResidentTag]], user: User) -> str:
    sees_sensitive = user.has_capability(Capability.CARE_SENSITIVE_VIEW)
    parts = []
    for memberships in people.values():
        shown = [m.tag.name for m in memberships if sees_sensitive or not m.tag.sensitive]
        if not shown:
            continue  # only sensitive groups, for someone who may not know them
        parts.append(f"{memberships[0].resident.name}（{'、'.join(shown)}）")
    return "、".join(parts)


def overdue_visits_warn(*, today: dt.date | None = None) -> int:
    """Warn each grid's workers of the visits overdue today. Idempotent per day; returns
    how many memberships were warned."""
    today = today or timezone.localdate()
    claimed = _claimed(today)
    by_area: dict[int, dict[int, list[ResidentTag]]] = defaultdict(lambda: defaultdict(list))
    areas = {}
    for membership in claimed:
        by_area[membership.area_id][membership.resident_id].append(membership)
        areas[membership.area_id] = membership.area
    for area_id, people in by_area.items():
        for worker in _workers_of(areas[area_id]):
            names = _line(people, worker)
            if names:
                text = _("Visits overdue in %(grid)s: %(names)s") % {
                    "grid": areas[area_id].name,
                    "names": names,
                }
                notify(users=[worker], kind=KIND, text=text)
    return len(claimed)
