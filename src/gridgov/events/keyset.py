"""The queue a page at a time, at any volume: keyset pagination over (key, id) in three
sorts: newest first (reported_at), soonest deadline first (stage_due_at), most urgent first.

Each way the user reads events (`selectors.visibility_branches`) is read on its own, in the
sort's order, with the filters and the cursor, up to what the page needs: each such read walks
one index ((area, state, reported_at), (department, stage_due_at), ...) and stops. The
branches are merged here, ids deduplicated, and the page's rows fetched by primary key. No
DISTINCT, no join, no OFFSET scan and no COUNT over the table: beyond one page the count is
the planner's estimate (decisions 0015, 0026). A sort is a list of stretches (`Segment`),
each one index order; the cursor names its sort and stretch.
"""

import datetime as dt
import json
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import DomainError
from gridgov.common.when import day_check, to_utc
from gridgov.events import queue_cache
from gridgov.events.models import Event, Source, Urgency
from gridgov.events.selectors import (
    area_filter_ids,
    mine_branches,
    queue_conditions,
    visibility_branches,
)
from gridgov.events.workflow import State

# Beyond a page, the count is an estimate (PostgreSQL) or stops here ("1000+"): counting
# every match of a district's history would read it all on every page.
COUNT_CAP = 1000
# Offsets are kept for old clients, bounded: beyond this the cursor pages.
MAX_OFFSET = 10_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The largest page: the API's limit is validated against the same bound.
MAX_LIMIT = 200
# int() takes "1_1", " 12" and "+3": a cursor is digits, an underscore, digits, nothing else.
CURSOR_FORM = re.compile(r"[0-9]{1,20}_[0-9]{1,20}")
# The filters with a closed set of values: an unknown one is a mistake to report, not an
# empty (or, for `warned`, a whole) queue.
CHOICES = {
    "state": State.values,
    "source": Source.values,
    "urgency": Urgency.values,
    "warned": ["yellow", "red"],
}


DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")

SORTS = ("new", "deadline", "urgency")
# The urgency sort reads the levels in this order, each by deadline.
URGENCY_ORDER = (Urgency.CRITICAL, Urgency.URGENT, Urgency.NORMAL)
SORTED_CURSOR_FORM = re.compile(r"([du])([0-9]{1,2})_([0-9]{1,20})_([0-9]{1,20})")


LIST_DEFERRED = (
    "extra",
    "client_uuid",
    "component",
    "reporter_name",
    "reporter_phone",
    "accept_due_at",
    "dispatch_due_at",
    "accepted_at",
    "dispatched_at",
    "handled_at",
    "handle_due_at",
    "pending_until",
)


@dataclass(frozen=True)
class Segment:
    """One stretch of a sort: the events matching `condition`, ordered by (`field`, id) in one
    direction, read with an index that serves exactly that order (migration 0018)."""

    condition: Q
    field: str
    descending: bool

    @property
    def order(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return f"{sign}{self.field}", f"{sign}id"

    def after(self, cursor: "Cursor") -> Q:
        # field <= x (or >= x) bounds the index range; the OR only breaks ties inside it.
        bound, strictly, id_after = ("lte", "lt", "lt") if self.descending else ("gte", "gt", "gt")
        return Q(**{f"{self.field}__{bound}": cursor.at}) & (
            Q(**{f"{self.field}__{strictly}": cursor.at}) | Q(**{f"id__{id_after}": cursor.id})
        )


def _by_deadline(extra: Q) -> list[Segment]:
    # Soonest deadline first; events without one (closed, rejected) after, newest first. Two
    # stretches instead of NULLS LAST: each is one index range (the deadlines' partial index,
    # then the newest-first indexes of decision 0015), and nulls sort alike on every database.
    return [
        Segment(extra & Q(stage_due_at__isnull=False), "stage_due_at", False),
        Segment(extra & Q(stage_due_at__isnull=True), "reported_at", True),
    ]


SEGMENTS: dict[str, list[Segment]] = {
    "new": [Segment(Q(), "reported_at", True)],
    "deadline": _by_deadline(Q()),
    # Most urgent first, then by deadline: one level after the other, so no sort key over
    # the table is needed (the urgency is a text whose alphabetical order means nothing).
    "urgency": [s for level in URGENCY_ORDER for s in _by_deadline(Q(urgency=level))],
}


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: the next page starts strictly after it. For the newest-first
    sort `<reported_at µs>_<id>` (the form links kept before sorts existed); for the others
    the sort's letter and the stretch come first (`d0_<due µs>_<id>`), so that a cursor of
    one sort is refused by another instead of silently starting somewhere else."""

    at: dt.datetime
    id: int
    sort: str = "new"
    segment: int = 0

    def encode(self) -> str:
        micros = (self.at - EPOCH) // dt.timedelta(microseconds=1)
        if self.sort == "new":
            return f"{micros}_{self.id}"
        return f"{self.sort[0]}{self.segment}_{micros}_{self.id}"

    @classmethod
    def decode(cls, text: str, sort: str = "new") -> "Cursor":
        sorted_form = SORTED_CURSOR_FORM.fullmatch(text)
        if sorted_form:
            letter, segment, micros, pk = sorted_form.groups()
        elif CURSOR_FORM.fullmatch(text):
            letter, segment, (micros, _sep, pk) = "n", "0", text.partition("_")
        else:
            raise DomainError(_("Not a queue cursor."), field="cursor")
        if letter != sort[0]:
            raise DomainError(
                _(
                    "This cursor belongs to another sort of the queue; "
                    "start again from the first page."
                ),
                field="cursor",
            )
        try:
            moment = EPOCH + dt.timedelta(microseconds=int(micros))
            cursor = cls(moment, int(pk), sort, int(segment))
        except (ValueError, OverflowError, OSError):
            raise DomainError(_("Not a queue cursor."), field="cursor") from None
        if not 0 < cursor.id < 2**63 or cursor.segment >= len(SEGMENTS[sort]):
            raise DomainError(_("Not a queue cursor."), field="cursor")
        return cursor


@dataclass
class QueuePage:
    events: list[Event]
    next_cursor: str | None
    count: int
    count_exact: bool
    sort: str = "new"


def check_filters(filters: dict) -> None:
    """Refuse a filter value outside its choices, naming the filter and what it takes."""
    for key, values in CHOICES.items():
        value = filters.get(key)
        if value and value not in values:
            raise DomainError(
                _("Unknown %(filter)s filter value %(value)s; it takes one of: %(values)s.")
                % {"filter": key, "value": value[:64], "values": ", ".join(values)},
                field=key,
            )


def period_bound(value: str | dt.datetime | None, *, field: str) -> dt.datetime | None:
    """A `since`/`until` of the queue: a local date (its midnight; for `until` the midnight
    after it, so that the day is included) or a date and time (as given, `until` excluded)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return to_utc(value, field=field)
    text = str(value).strip()
    try:
        if DATE_FORM.fullmatch(text):
            day = day_check(dt.date.fromisoformat(text), field=field)
            if field == "until":
                day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time(0))
        else:
            moment = parse_datetime(text) if DATETIME_FORM.match(text) else None
    except ValueError:
        moment = None
    if moment is None:
        raise DomainError(
            _("%(field)s takes a date (2026-03-01) or a date and time (2026-03-01T08:30).")
            % {"field": field},
            field=field,
        )
    return to_utc(moment, field=field)


def period_condition(since, until) -> Q:
    """Reported in [since, until): a range of `reported_at`, the key of the queue's indexes."""
    start, stop = period_bound(since, field="since"), period_bound(until, field="until")
    if start is not None and stop is not None and stop <= start:
        raise DomainError(_("until is not after since."), field="until")
    condition = Q()
    if start is not None:
        condition &= Q(reported_at__gte=start)
    if stop is not None:
        condition &= Q(reported_at__lt=stop)
    return condition


def events_queue_page(
    *,
    user: User,
    filters: dict,
    after: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: str | None = None,
) -> QueuePage:
    """One page of the user's queue in `sort` order (newest first, soonest deadline first, or
    most urgent first), starting after the cursor `after` (or at `offset`). `count` is the
    number of matches of the whole filtered queue, the same on every page and in every sort:
    exact when they fit on the first page, otherwise an estimate (`count_exact` false)."""
    sort = sort or "new"
    if sort not in SEGMENTS:
        raise DomainError(
            _("Unknown sort %(sort)s; it takes one of: %(values)s.")
            % {"sort": sort[:64], "values": ", ".join(SORTS)},
            field="sort",
        )
    check_filters(filters)
    period = period_condition(filters.get("since"), filters.get("until"))
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(
            _("A page holds 1 to %(max)s events.") % {"max": MAX_LIMIT}, field="limit"
        )
    if offset > MAX_OFFSET:
        raise DomainError(
            _("Offsets stop at %(max)s: follow next_cursor instead.") % {"max": MAX_OFFSET},
            field="offset",
        )
    cursor = Cursor.decode(after, sort) if after else None
    want = offset + limit + 1
    if filters.get("mine"):
        # My tasks are read as their own branches (each visible to me by definition).
        base = queue_conditions(user, {**filters, "mine": False}) & period
        branches = mine_branches(user)
    else:
        base = queue_conditions(user, filters) & period
        within = area_filter_ids(user, filters["area"]) if filters.get("area") else None
        branches = visibility_branches(user, within, queue=True)
    every = [Q()] if branches is None else branches
    keys: list[tuple[int, dt.datetime, int]] = []  # (stretch, key, id) in the sort's order
    segments = SEGMENTS[sort]
    for index in range(cursor.segment if cursor else 0, len(segments)):
        segment = segments[index]
        condition = base & segment.condition
        if cursor and index == cursor.segment:
            condition &= segment.after(cursor)
        take = want - len(keys)
        reads = [
            Event.objects.filter(condition & branch)
            .order_by(*segment.order)
            .values_list("id", segment.field)[:take]
            for branch in every
        ]
        found: dict[int, dt.datetime] = dict(_union_all(reads))
        ordered = sorted(((at, pk) for pk, at in found.items()), reverse=segment.descending)
        keys += [(index, at, pk) for at, pk in ordered[:take]]
        if len(keys) >= want:
            break
    page_keys = keys[offset : offset + limit]
    rows_by_id = (
        Event.objects.select_related("subclass", "area", "department", "assignee")
        # What a list row never shows nor a workflow guard reads: a grid's polygon and the
        # report's extra fields (JSON decoded per row was a tenth of the API's Python time),
        # the reporter's contact, the stage timestamps (a time-zone conversion each).
        .defer("area__geometry", *LIST_DEFERRED)
        .in_bulk([pk for _index, _at, pk in page_keys])
        if page_keys
        else {}
    )
    has_more = len(keys) > offset + limit
    if after or has_more:
        # The whole filtered queue, not what is left from here on: the total must not shrink
        # as one pages, nor change with the sort. Kept a few seconds per user and filters.
        parts = (*queue_cache.user_key(user), *sorted((k, v) for k, v in filters.items() if v))
        count, exact = queue_cache.kept(
            "count", parts, lambda: _estimate([base & b for b in every], base, branches)
        )
        count = count if after else max(count, len(keys))
    else:
        count, exact = len(keys), True
    last = page_keys[-1] if page_keys else None
    return QueuePage(
        events=[rows_by_id[pk] for _index, _at, pk in page_keys if pk in rows_by_id],
        next_cursor=(
            Cursor(last[1], last[2], sort, last[0]).encode() if has_more and last else None
        ),
        count=count,
        count_exact=exact,
        sort=sort,
    )


def _union_all(reads: list) -> list[tuple[int, dt.datetime]]:
    """The branches' rows in one round trip where the database takes ordered, limited parts
    in a UNION ALL (PostgreSQL: each part still walks its own index and stops), else one
    read per branch (SQLite). Rows found by several branches come back several times."""
    if len(reads) > 1 and connection.features.supports_slicing_ordering_in_compound:
        return list(reads[0].union(*reads[1:], all=True))
    return [row for read in reads for row in read]


def _estimate(full: list[Q], condition: Q, branches: list[Q] | None) -> tuple[int, bool]:
    """How many match, beyond a page: on PostgreSQL the planner's estimate for each branch,
    the largest (an estimate of the OR of all would be better, but planning
    that OR over a subtree's hundreds of area ids takes longer than the page); elsewhere a
    count capped at COUNT_CAP (the small databases of a desk or a test)."""
    if connection.vendor == "postgresql":
        plans = [
            json.loads(Event.objects.filter(q).order_by().explain(format="json")) for q in full
        ]
        return max((int(plan[0]["Plan"]["Plan Rows"]) for plan in plans), default=0), False
    queryset = Event.objects.filter(condition)
    if branches is not None:
        queryset = queryset.filter(reduce(operator.or_, branches))
    capped = queryset.order_by()[: COUNT_CAP + 1].count()
    return min(capped, COUNT_CAP), capped <= COUNT_CAP
