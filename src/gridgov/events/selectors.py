"""Reads of events, scoped: staff see their area, department staff their department's
events, residents what they reported."""

import operator
from functools import reduce

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import User, full_name
from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import EVERYWHERE, can, scope_path
from gridgov.areas import spatial_index
from gridgov.areas.models import Area
from gridgov.common.errors import PermissionDenied
from gridgov.common.lookups import IdArray  # registers `__any` (long id lists as one array)
from gridgov.common.versioned_cache import VersionedValue
from gridgov.events.calendar import WorkingCalendar, deadline_colour
from gridgov.events.models import Assignment, Event, Subclass, Summons, TimelineEntry
from gridgov.events.workflow import (
    HANDLING_ACTIONS,
    LIVE_OFFER,
    OPEN_OR_NEW,
    TRANSITIONS,
    Action,
    Relations,
    State,
    refusal,
)

# Newest first; the id breaks ties so a keyset cursor never skips or repeats a row.
QUEUE_ORDER = ("-reported_at", "-id")

# Timeline steps that are not actions of the table.
STEP_LABELS = {
    "report": _("Reported"),
    "whistle": _("Whistled"),
    "check_in": _("Checked in"),
    "report_back": _("Reported back"),
    "summons_act": _("Acted on the spot (whistle)"),
    "summons_overdue": _("Whistle deadline missed"),
    "summons_rated": _("Response rated (whistle)"),
    "deadline_yellow": _("Deadline near (yellow)"),
    "deadline_red": _("Deadline passed (red)"),
    "triage": _("Category and urgency set"),
    # Written by the resident's side (residents.actions), which events does not import.
    "resident_addition": _("Added by the reporter or a follower"),
}


# Lazy labels by value, built once: the enum's lookups per timeline row cost more than the row.
ACTION_LABELS = {action.value: action.label for action in Action}
# Likewise for the queue's rows: `get_state_display` hashed every state's lazy label per row.
STATE_LABELS = {state.value: state.label for state in State}
# The workflow's rows by the state they leave, in the table's order: a row's actions are
# found among its state's few rows, not by walking the whole table for each event.
STEPS_FROM: dict[str, list] = {}
for (_from_state, _action), _step in TRANSITIONS.items():
    STEPS_FROM.setdefault(_from_state, []).append((_action, _step))


def step_label(action: str) -> str:
    return str(ACTION_LABELS.get(action) or STEP_LABELS.get(action, action))


def iso(value) -> str | None:
    return value.isoformat() if value else None


def local(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def visibility_branches(
    user: User, within: list[int] | None = None, queue: bool = False
) -> list[Q] | None:
    """The ways the user reads events, each one condition an index serves: their area with the
    events capability, their own reports, what was handed to them by name (the assignee, a live
    offer), and their department's events (dispatched or summoned). None means every event.

    `queue`: the work list. A department handler's (who reads no area) is the department's
    inbox: what was dispatched or whistled to it and what was handed to them by name, not
    their own reports (they follow those on /report/ like anyone).

    The branches overlap, so they are ORed (one row each, no DISTINCT) or read one by one and
    merged (`events_queue_page`); never joined, which repeats rows and needs a DISTINCT sort.
    """
    if not (user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        return None
    branches = []
    reads_area = can(user, Capability.EVENTS_VIEW)
    if reads_area:
        prefix = scope_path(user)
        if prefix == EVERYWHERE:
            return None
        if prefix is not None:
            # The subtree's area ids read first (a small table) and given as a list: the
            # planner then knows how many events they hold (a subquery it guesses at 4 areas
            # and loops over all 700), and the events' (area, state, reported_at) index serves.
            ids = subtree_ids(user, prefix)
            if within is not None:
                # The queue's area filter folded in: one short list the planner reads right
                # (the filter ANDed with the subtree's long list misled it into a walk).
                wanted = set(within)
                inside = [pk for pk in ids if pk in wanted]
                if queue and len(inside) == len(wanted):
                    # The filter lies inside the area they read: whatever else is theirs
                    # there (reported, handed or offered to them) is in this one branch, and
                    # the filter keeps out what is theirs elsewhere. Three reads saved (an
                    # OR of them walks the history instead: 1.8 s at 1M).
                    return [Q(area_id__any=IdArray(inside))]
                ids = inside
            branches.append(Q(area_id__any=IdArray(ids)))
    if reads_area or not (queue and user.department_id):
        branches.append(Q(reporter_id=user.pk))
    branches += [
        # Whoever the event was handed to by name sees it in their list too, as
        # `access.may_see` lets them open it.
        Q(assignee_id=user.pk),
        Q(
            pk__in=Assignment.objects.filter(worker_id=user.pk, status__in=LIVE_OFFER).values(
                "event_id"
            )
        ),
    ]
    if user.department_id:
        branches += [
            Q(department_id=user.department_id),
            Q(
                pk__in=Summons.objects.filter(department_id=user.department_id).values(
                    "whistle__event_id"
                )
            ),
        ]
    return branches


def events_visible(user: User) -> QuerySet[Event]:
    """Events the user may read: those of their area with the events capability, those
    dispatched or whistled to their department, and those they reported themselves.

    Department handlers read by their department, not by the district they sit in; roles
    without the capability (service companies, Party secretaries) read only their own reports.
    """
    queryset = Event.objects.select_related("subclass", "area", "department", "assignee")
    branches = visibility_branches(user)
    if branches is None:
        return queryset
    if not branches:
        return queryset.none()
    return queryset.filter(reduce(operator.or_, branches))


def event_visible_to(user: User, event: Event) -> bool:
    """The same rule as `events_visible`, for one event already read."""
    if not (user.is_authenticated and user.is_active):
        return False
    return event.reporter_id == user.pk or handles(user, event)


def handles(user: User, event: Event, relations: Relations | None = None) -> bool:
    """The user reads the event as staff: in their area with the capability, or through
    their department (dispatched or summoned). Only they see staff names, phones, internal
    comments and whistles; a reporter without this sees the progress of their case."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    relations = relations or Relations(event, user)
    if relations.department or relations.summoned:
        return True
    return can(user, Capability.EVENTS_VIEW) and relations.area


def relations_of_page(events: list[Event], user: User) -> dict[int, Relations]:
    """The user's relations to a page of events in three queries whatever its length: the
    lookups `Relations` would make per event (live offers, summonses, handling steps)."""
    ids = [e.pk for e in events]
    offers = dict(
        Assignment.objects.filter(
            event_id__in=ids, worker_id=user.pk, status__in=LIVE_OFFER
        ).values_list("event_id", "status")
    )
    summoned = (
        set(
            Summons.objects.filter(
                whistle__event_id__in=ids, department_id=user.department_id
            ).values_list("whistle__event_id", flat=True)
        )
        if user.department_id
        else set()
    )
    handled = set(
        TimelineEntry.objects.filter(
            event_id__in=ids, actor_id=user.pk, action__in=HANDLING_ACTIONS
        ).values_list("event_id", flat=True)
    )
    result = {}
    for event in events:
        relations = Relations(event, user)
        # Filled in before first use: the cached properties then never query.
        relations.__dict__["offer_status"] = offers.get(event.pk)
        relations.__dict__["summoned"] = event.pk in summoned
        relations.__dict__["handler"] = relations.assignee or event.pk in handled
        result[event.pk] = relations
    return result


def page_as_dicts(events: list[Event], user: User) -> list[dict]:
    """A list of events as the queue shows them, in a fixed number of queries."""
    if not events:
        return []
    calendar = WorkingCalendar.from_database()
    relations = relations_of_page(events, user)
    return [event_as_dict(e, user, calendar, relations=relations[e.pk]) for e in events]


def queue_conditions(user: User, filters: dict) -> Q:
    """The queue's filters as one condition on the event row (subqueries on the small
    reference tables instead of joins, so the events' own indexes serve them)."""
    condition = Q()
    for key in ("state", "source", "urgency"):
        if filters.get(key):
            condition &= Q(**{key: filters[key]})
    if filters.get("subclass"):
        subclass_ids = Subclass.objects.filter(code=filters["subclass"]).values_list(
            "pk", flat=True
        )
        condition &= Q(subclass_id__in=list(subclass_ids))
    if filters.get("area"):
        condition &= Q(area_id__any=IdArray(area_filter_ids(user, filters["area"])))
    if filters.get("mine"):
        # My tasks: handed to me by name, offered to me and not yet answered, or my
        # department's (dispatched or whistled to it).
        condition &= reduce(operator.or_, mine_branches(user))
    if filters.get("supervised"):
        condition &= Q(supervised=True)
    if filters.get("urgent"):
        # The alarm's events (the rows' `urgent` mark): of an urgent subclass (gas, collapse…).
        condition &= Q(subclass_id__in=_urgent_subclass_ids())
    # Deadlines are lights of open events: the partial index of open events serves these.
    if filters.get("overdue"):
        condition &= Q(state__in=OPEN_OR_NEW, stage_due_at__lt=timezone.now())
    if filters.get("warned") in ("yellow", "red"):
        # What the deadline sweep marked: yellow from 80% of the stage's working time, red overdue.
        condition &= Q(state__in=OPEN_OR_NEW, stage_warned=filters["warned"])
    return condition


def mine_branches(user: User) -> list[Q]:
    """My tasks as branches the queue reads one by one (each an index): an OR of them with a
    subquery inside, ANDed to every visibility branch, walked the history (0.7 s at 1M)."""
    branches = [Q(assignee_id=user.pk), Q(pk__in=_offered_to(user))]
    if user.department_id:
        branches += [Q(department_id=user.department_id), Q(pk__in=_summoned(user))]
    return branches


def _offered_to(user: User) -> QuerySet:
    return Assignment.objects.filter(worker_id=user.pk, status__in=LIVE_OFFER).values("event_id")


def _summoned(user: User) -> QuerySet:
    return Summons.objects.filter(department_id=user.department_id).values("whistle__event_id")


def _urgent_subclass_ids() -> list[int]:
    if not hasattr(Subclass, "urgent"):  # the catalog's flag (decision 0024) not yet there
        return []
    return list(Subclass.objects.filter(urgent=True).values_list("pk", flat=True))


def subtree_ids(user: User, prefix: str) -> list[int]:
    """The ids of the areas under `prefix`, kept on the user object for the request (the
    queue and the rates above it both need them)."""
    cached = getattr(user, "_subtree_ids", None)
    if cached is None or cached[0] != prefix:
        cached = (prefix, _area_ids("prefix", prefix))
        user._subtree_ids = cached
    return cached[1]


def area_filter_ids(user: User, code: str) -> list[int]:
    """The areas under the queue's area filter (by code anywhere in the path), once a request."""
    cached = getattr(user, "_area_filter_ids", None)
    if cached is None or cached[0] != code:
        cached = (code, _area_ids("code", code))
        user._area_filter_ids = cached
    return cached[1]


# The areas under a path or code, kept in each process as the catalog and the calendar are
# (common/versioned_cache): forgotten when the tree version moves, seen within the version
# check's interval. Every queue page and API call asked the areas table again before (a
# LIKE over every path: 2-7 ms under load).
_AREA_ANSWERS: VersionedValue[dict] = VersionedValue(dict, spatial_index.current_version)


def _area_ids(kind: str, text: str) -> list[int]:
    answers = _AREA_ANSWERS.get()
    key = (kind, text)
    if key not in answers:
        if len(answers) > 5000:  # codes come from query strings: keep what is kept bounded
            answers.clear()
        lookup = {"path__startswith": text} if kind == "prefix" else {"path__contains": f"/{text}/"}
        answers[key] = list(Area.objects.filter(**lookup).values_list("pk", flat=True))
    return answers[key]


def events_queue(*, user: User, filters: dict) -> QuerySet[Event]:
    return events_visible(user).filter(queue_conditions(user, filters)).order_by(*QUEUE_ORDER)


def events_for_rates(*, user: User, filters: dict) -> QuerySet[Event]:
    """The events whose rates the user may read: the area's with the events capability, or a
    department's for its handlers. A resident's own reports make no rate; other roles none."""
    if not (can(user, Capability.EVENTS_VIEW) or (user.is_authenticated and user.department_id)):
        raise PermissionDenied()
    return events_queue(user=user, filters=filters)


def _actor_name(row: dict, staff: bool, resident_row: bool) -> str | None:
    """The name of who acted, as people say it (family name first), for staff only."""
    if not staff:
        return None
    if resident_row:
        return str(_("the reporter"))
    return full_name(row["actor__last_name"], row["actor__first_name"]) or row["actor__username"]


def event_as_dict(
    event: Event,
    user: User,
    calendar: WorkingCalendar | None = None,
    with_timeline: bool = False,
    relations: Relations | None = None,
) -> dict:
    calendar = calendar or WorkingCalendar.from_database()
    relations = relations or Relations(event, user)
    staff = handles(user, event, relations)
    data = {
        "id": event.pk,
        "number": event.number,
        "state": event.state,
        "state_name": str(STATE_LABELS.get(event.state, event.state)),
        "version": event.version,
        "subclass": event.subclass.code,
        "subclass_name": event.subclass.name_zh,
        "description": event.description,
        "urgency": event.urgency,
        # An urgent subclass (gas, collapse…) raises the alarm on the queue (decision 0024).
        "urgent": event.subclass.urgent,
        "source": event.source,
        "area": event.area.code,
        "area_name": event.area.name,
        "lon": event.lon,
        "lat": event.lat,
        "address": event.address,
        "department": event.department.name if event.department else None,
        "assignee": event.assignee.username if event.assignee and staff else None,
        "duplicate_of": event.duplicate_of_id,
        "pending_request": event.pending_request or None,
        "supervised": event.supervised,
        "rework_count": event.rework_count,
        "satisfaction": event.satisfaction or None,
        "reported_at": event.reported_at.isoformat(),
        "reported_display": local(event.reported_at),
        "stage_due_display": local(event.stage_due_at),
        "stage_due_at": event.stage_due_at.isoformat() if event.stage_due_at else None,
        "deadline": deadline_colour(
            event.stage_started_at,
            event.stage_due_at,
            timezone.now(),
            calendar,
            urgent=event.subclass.urgent,  # clock time (decision 0024)
        ),
        "closed_at": event.closed_at.isoformat() if event.closed_at else None,
        # From the workflow's rows with the user's relation to the event: no button is
        # offered that would then be refused.
        "actions": [
            action
            for action, step in STEPS_FROM.get(event.state, ())
            if refusal(step, event, user, relations) is None
        ],
    }
    if with_timeline:
        # Rows as values, not models: a long history is read in one query and no instances.
        data["timeline"] = [
            {
                "at": t["at"].isoformat(),
                "at_display": local(t["at"]),
                "label": step_label(t["action"]),
                "action": t["action"],
                "from": t["from_state"],
                "to": t["to_state"],
                # Who did what stays inside the handling staff, and a resident who acted
                # (the reporter) is personal data: named as "the reporter", never by name.
                "by": t["actor__username"] if staff and not resident_row else None,
                "by_name": _actor_name(t, staff, resident_row),
                "comment": t["comment"] if staff else "",
                "data": t["data"] if staff else {},
                # The public reply (decision 0024): the one text of a step the reporter reads.
                "reply": (t["data"] or {}).get("reply", ""),
            }
            for t, resident_row in (
                (t, t["actor__role"] == Role.RESIDENT)
                for t in event.timeline.values(
                    "at",
                    "action",
                    "from_state",
                    "to_state",
                    "comment",
                    "data",
                    "actor__username",
                    "actor__last_name",
                    "actor__first_name",
                    "actor__role",
                )
            )
        ]
        data["whistles"] = [
            {
                "level": w.level,
                "level_name": str(w.get_level_display()),
                "reason": w.reason,
                "at": w.at.isoformat(),
                "summonses": [
                    {
                        "id": s.pk,
                        "department": s.department.name,
                        "check_in_due_at": s.check_in_due_at.isoformat(),
                        "checked_in_at": s.checked_in_at.isoformat() if s.checked_in_at else None,
                        "late": bool((s.checked_in_at or timezone.now()) > s.check_in_due_at),
                        "action_due_at": iso(s.action_due_at),
                        "action_at": iso(s.action_at),
                        "report_due_at": iso(s.report_due_at),
                        "reported_at": s.reported_at.isoformat() if s.reported_at else None,
                        "report": s.report,
                        "rating": s.rating,
                    }
                    for s in w.summonses.all()
                ],
            }
            for w in (
                event.whistles.prefetch_related(
                    Prefetch("summonses", Summons.objects.select_related("department"))
                )
                if staff
                else ()
            )
        ]
    return data
