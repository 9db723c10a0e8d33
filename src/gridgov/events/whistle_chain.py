"""Reads of whistle and report (吹哨报到): the timed chain of an event, the open summonses
overdue per level (the big screen), and the whistling levels' ratings summed per department
(a basis for the street's say in the departments' assessment). Writes are in whistles.py."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import EVERYWHERE, can, scope_path
from gridgov.areas.codes import AreaKind
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.events.models import Event, Summons, Whistle
from gridgov.events.services.whistles import (
    DONE_FIELD,
    DUE_FIELD,
    STEP_NAMES,
    STEPS,
    WARN_SHARE,
    may_rate,
)
from gridgov.events.workflow import TERMINAL

# Who reads the ratings summary: staff of a street or above (the levels that assess the
# departments), in their own area.
RATING_READER_KINDS = (AreaKind.STREET, AreaKind.COUNTY, AreaKind.CITY, AreaKind.PROVINCE)
MAX_PERIOD_DAYS = 366


def how_long(delta: dt.timedelta) -> str:
    """A lateness (or time left) people read at a glance: days and hours, or hours and minutes."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def step_status(
    due: dt.datetime | None,
    done: dt.datetime | None,
    now: dt.datetime,
    start: dt.datetime | None = None,
) -> dict:
    """One deadline of a summons: on time, late (done after the due time), overdue (not done
    and past due), near (time left, WARN_SHARE of it used since `start`) or open, with by how
    long."""
    if due is None:
        return {"status": "none", "due": None, "done": done, "by": ""}
    status = deadline_kept(due, done, now)
    if status == "late":
        by = how_long(done - due)
    elif status == "overdue":
        by = how_long(now - due)
    elif status == "open":
        used = (now - start) / (due - start) if start and due > start else 0.0
        status, by = ("near" if used >= WARN_SHARE else "open"), how_long(due - now)
    else:
        by = ""
    return {"status": status, "due": due, "done": done, "by": by}


def deadline_kept(due: dt.datetime, done: dt.datetime | None, now: dt.datetime) -> str:
    """on_time or late (done before or after `due`), overdue (not done, past due) or open:
    one deadline of a summons, as the chain shows it and the rates count it."""
    if done is not None:
        return "late" if done > due else "on_time"
    return "overdue" if now > due else "open"


def whistle_chain(event: Event, user: User, *, now: dt.datetime | None = None) -> list[dict]:
    """Each whistle of the event (level, when, why), each summoned department, and each of its
    three deadlines timed. For those who see the event's handling (the caller checked)."""
    now = now or timezone.now()
    # One read: the summonses with their whistle and department (a whistle always has one).
    rows = (
        Summons.objects.filter(whistle__event=event)
        .select_related("whistle", "department")
        .order_by("whistle__at", "whistle_id", "pk")
    )
    chain: list[dict] = []
    for s in rows:
        whistle = s.whistle
        whistle.event = event  # may_rate reads the level and the event's area without a query
        if not chain or chain[-1]["whistle"].pk != whistle.pk:
            chain.append(
                {"whistle": whistle, "level_name": whistle.get_level_display(), "summonses": []}
            )
        chain[-1]["summonses"].append(
            {
                "summons": s,
                "department": s.department.name,
                "steps": [
                    {
                        "step": step,
                        "name": STEP_NAMES[step],
                        **step_status(
                            getattr(s, DUE_FIELD[step]),
                            getattr(s, DONE_FIELD[step]),
                            now,
                            whistle.at,
                        ),
                    }
                    for step in STEPS
                ],
                "rating_name": s.get_rating_display() if s.rating else "",
                "may_rate": bool(s.reported_at and not s.rating and may_rate(user, s)),
            }
        )
    return chain


def overdue_by_level(events, now: dt.datetime) -> dict[str, int]:
    """Open summonses (not reported back, event not closed) with a missed deadline, per
    whistle level: one GROUP BY."""
    overdue = (
        Q(checked_in_at__isnull=True, check_in_due_at__lt=now)
        | Q(action_at__isnull=True, action_due_at__lt=now)
        | Q(report_due_at__lt=now)
    )
    counts = dict.fromkeys(Whistle.Level.values, 0)
    rows = (
        Summons.objects.filter(whistle__event__in=events, reported_at__isnull=True)
        .exclude(whistle__event__state__in=TERMINAL)
        .filter(overdue)
        .order_by()
        .values_list("whistle__level")
        .annotate(n=Count("id"))
    )
    for level, n in rows:
        counts[level] = n
    return counts


def ratings_summary(*, user: User, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The whistling levels' ratings of the departments' responses, summed per department for
    summonses rated in [date_from, date_to] on events in the reader's area."""
    prefix = scope_path(user)
    if prefix is None or not can(user, Capability.EVENTS_VIEW):
        raise PermissionDenied(_("Only street and district staff read the ratings."))
    if not user.is_superuser and user.area.kind not in RATING_READER_KINDS:
        raise PermissionDenied(_("Only street and district staff read the ratings."))
    if date_to < date_from or (date_to - date_from).days > MAX_PERIOD_DAYS:
        raise DomainError(_("Choose a period of at most a year."), field="date_to")
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    rows = Summons.objects.filter(rated_at__gte=start, rated_at__lt=end).exclude(rating="")
    if prefix != EVERYWHERE:
        rows = rows.filter(whistle__event__area__path__startswith=prefix)
    per: dict[int, dict[str, Any]] = {}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Summons.Rating.values, 0))
    for department_id, name, rating in rows.values_list(
        "department_id", "department__name", "rating"
    ):
        per.setdefault(department_id, {"department_id": department_id, "department": name})
        counts[department_id][rating] += 1
    departments = []
    for department_id, head in sorted(per.items(), key=lambda item: item[1]["department"]):
        c = counts[department_id]
        total = sum(c.values())
        departments.append(
            {
                **head,
                **c,
                "total": total,
                # good 100, adequate 60, poor 0: a score the assessment can weigh.
                "score": round((100 * c["good"] + 60 * c["adequate"]) / total, 1),
            }
        )
    return {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "departments": departments,
    }


def screen_block(events, now: dt.datetime) -> dict[str, Any]:
    """The big screen's whistle block: open summonses past a deadline, per level, labelled
    in the reader's language (the screen's answer is cached per language)."""
    counts = overdue_by_level(events, now)
    return {
        "label": _("Whistles past a deadline"),
        "overdue_total": sum(counts.values()),
        "levels": [
            {"level": level, "name": str(label), "overdue": counts[level]}
            for level, label in Whistle.Level.choices
        ],
    }
