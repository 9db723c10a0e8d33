"""The queue a page at a time, at any volume: keyset pagination over (reported_at, id).

Each way the user reads events (`selectors.visibility_branches`) is read on its own, newest
first, with the filters and the cursor, up to what the page needs: each such read walks one
index ((area, state, reported_at), (department, state, reported_at), ...) and stops. The
branches are merged here, ids deduplicated, and the page's rows fetched by primary key. No
DISTINCT, no join, no OFFSET scan and no COUNT over the table: beyond one page the count is
the planner's estimate (decision 0015).
"""

import datetime as dt
import json
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.common.errors import DomainError
from gridgov.events.models import Event, Source, Urgency
from gridgov.events.selectors import (
    QUEUE_ORDER,
    area_filter_ids,
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


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: the next page starts strictly after it."""

    reported_at: dt.datetime
    id: int

    def encode(self) -> str:
        micros = (self.reported_at - EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}_{self.id}"

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        if not CURSOR_FORM.fullmatch(text):
            raise DomainError(_("Not a queue cursor."), field="cursor")
        try:
            micros, _sep, pk = text.partition("_")
            moment = EPOCH + dt.timedelta(microseconds=int(micros))
            cursor = cls(moment, int(pk))
        except (ValueError, OverflowError, OSError):
            raise DomainError(_("Not a queue cursor."), field="cursor") from None
        if not 0 < cursor.id < 2**63:
            raise DomainError(_("Not a queue cursor."), field="cursor")
        return cursor


@dataclass
class QueuePage:
    events: list[Event]
    next_cursor: str | None
    count: int
    count_exact: bool


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


def _after(cursor: Cursor) -> Q:
    # reported_at <= x bounds the index range; the OR only breaks ties inside it.
    return Q(reported_at__lte=cursor.reported_at) & (
        Q(reported_at__lt=cursor.reported_at) | Q(id__lt=cursor.id)
    )


def events_queue_page(
    *, user: User, filters: dict, after: str | None = None, limit: int = 50, offset: int = 0
) -> QueuePage:
    """One page of the user's queue, newest first, starting after the cursor `after` (or at
    `offset`). `count` is the number of matches of the whole filtered queue, the same on every
    page: exact when they fit on the first page, otherwise an estimate (`count_exact` false)."""
    check_filters(filters)
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(
            _("A page holds 1 to %(max)s events.") % {"max": MAX_LIMIT}, field="limit"
        )
    if offset > MAX_OFFSET:
        raise DomainError(
            _("Offsets stop at %(max)s: follow next_cursor instead.") % {"max": MAX_OFFSET},
            field="offset",
        )
    base = queue_conditions(user, filters)
    condition = base & _after(Cursor.decode(after)) if after else base
    want = offset + limit + 1
    within = area_filter_ids(user, filters["area"]) if filters.get("area") else None
    branches = visibility_branches(user, within)
    found: dict[int, dt.datetime] = {}
    full: list[Q] = []  # the branches with more matches than the page took
    for branch in [Q()] if branches is None else branches:
        rows = list(
            Event.objects.filter(condition & branch)
            .order_by(*QUEUE_ORDER)
            .values_list("id", "reported_at")[:want]
        )
        found.update(rows)
        if len(rows) == want:
            full.append(condition & branch)
    keys = sorted(((at, pk) for pk, at in found.items()), reverse=True)[:want]
    page_keys = keys[offset : offset + limit]
    rows_by_id = (
        Event.objects.select_related("subclass", "area", "department", "assignee").in_bulk(
            [pk for _at, pk in page_keys]
        )
        if page_keys
        else {}
    )
    has_more = len(keys) > offset + limit
    if after:
        # A later page counts the whole filtered queue, not what is left from here on: the
        # total must not shrink as one pages. Every branch may hold earlier rows.
        every = [base & b for b in ([Q()] if branches is None else branches)]
        count, exact = _estimate(every, base, branches)
    elif has_more:
        count, exact = _estimate(full, condition, branches)
        count = max(count, len(keys))
    else:
        count, exact = len(keys), True
    return QueuePage(
        events=[rows_by_id[pk] for _at, pk in page_keys if pk in rows_by_id],
        next_cursor=Cursor(*page_keys[-1]).encode() if has_more and page_keys else None,
        count=count,
        count_exact=exact,
    )


def _estimate(full: list[Q], condition: Q, branches: list[Q] | None) -> tuple[int, bool]:
    """How many match, beyond a page: on PostgreSQL the planner's estimate for each branch that
    filled the page, the largest (an estimate of the OR of all would be better, but planning
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
