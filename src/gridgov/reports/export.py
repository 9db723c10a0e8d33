"""The event export: the queue's events with the queue's filters (and a period), as CSV or
Excel, for the area's leaders and staff (ANALYTICS_VIEW).

- Scoped as the queue is (an area filter must exist and overlap the user's area: 404/403,
  not an empty file): each way the user reads events (`visibility_branches`) is read on
  its own with the filters, newest first, one index each; ids merged and deduplicated; no
  DISTINCT and no OR over the history.
- Bounded: at most MAX_ROWS rows. The ids are read first, up to MAX_ROWS + 1 per branch; one
  more than the bound is a clear 400 ("narrow the filters") before anything is written.
- Masked: without PII_VIEW the reporter's name and phone and the address are masked; with it
  they are shown and the read is recorded (accounts.PiiAccess), as registry reads are.
- Audited: one EventExport row per export (who, filters, format, rows, masked), written
  before the first row leaves.
- Streamed: rows are fetched by primary key a chunk at a time and written as they come (CSV
  straight to the response; Excel in openpyxl's write-only mode to a temporary file).
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gridgov.accounts.models import User, full_name
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, require_capability, scope_path
from gridgov.accounts.services import pii_access_record
from gridgov.analytics.hotspots import day_in_bounds
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound, OutOfScope
from gridgov.common.text import xml_safe
from gridgov.common.xlsx import FORMULA_TRIGGERS, cell_safe
from gridgov.events.keyset import check_filters
from gridgov.events.models import Event, Satisfaction, Source, Subclass, Urgency
from gridgov.events.selectors import (
    STATE_LABELS,
    area_filter_ids,
    mine_branches,
    queue_conditions,
    visibility_branches,
)
from gridgov.registry.pii import mask_phone, mask_text
from gridgov.reports.models import EventExport

MAX_ROWS = getattr(settings, "GRIDGOV_EXPORT_MAX_ROWS", 50_000)
CHUNK = 1000
TEXT_FILTERS = ("state", "subclass", "source", "urgency", "area", "warned")
FLAG_FILTERS = ("overdue", "mine", "supervised", "urgent")
# A period longer than this is refused before any read (a typo like 0026 for 2026).
MAX_SPAN = dt.timedelta(days=366 * 5)


def _moment(text: str | None, field: str, end: bool) -> dt.datetime | None:
    """A local date (the whole day: `until` 2026-10-31 includes the 31st) or a datetime."""
    if not text:
        return None
    text = str(text).strip()[:40]
    try:
        day = parse_date(text)
        moment = None if day else parse_datetime(text)
    except ValueError:
        day = moment = None
    if day:
        day_in_bounds(day, field, "bad_period")  # before the day after: 9999-12-31 has none
        day = day + dt.timedelta(days=1) if end else day
        return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())
    if moment is None:
        raise DomainError(
            _("%(value)s is not a date (2026-10-31) nor a time (2026-10-31T18:00).")
            % {"value": text},
            code="bad_period",
            field=field,
        )
    day_in_bounds(moment.date(), field, "bad_period")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def export_filters(raw: dict[str, Any]) -> dict[str, Any]:
    """The queue's filters from a query (text values, flags as "1"/"true"), checked, plus the
    period `since`/`until`; a bad value is a DomainError naming it."""
    filters: dict[str, Any] = {key: (str(raw.get(key) or "")[:64] or None) for key in TEXT_FILTERS}
    for flag in FLAG_FILTERS:
        filters[flag] = str(raw.get(flag) or "").lower() in ("1", "true", "on")
    check_filters(filters)
    # The queue lists nothing for an unknown subclass; a file of no rows would read as "none
    # of that kind here", so the export says the code is wrong, as the rates do.
    if filters["subclass"] and not Subclass.objects.filter(code=filters["subclass"]).exists():
        raise DomainError(
            _("No subclass has this code."), code="unknown_subclass", field="subclass"
        )
    since = _moment(raw.get("since"), "since", end=False)
    until = _moment(raw.get("until"), "until", end=True)
    if since and until and since >= until:
        raise DomainError(_("The period ends before it begins."), code="bad_period", field="until")
    if since and until and until - since > MAX_SPAN:
        raise DomainError(
            _("Choose a period of at most five years."), code="bad_period", field="since"
        )
    filters["since"], filters["until"] = since, until
    return filters


def _branches(user: User, filters: dict) -> tuple[Q, list[Q]]:
    """The queue's condition and the user's ways of reading events, as `events_queue_page`
    forms them."""
    queue_filters = {k: v for k, v in filters.items() if k not in ("since", "until")}
    if filters.get("mine"):
        return queue_conditions(user, {**queue_filters, "mine": False}), mine_branches(user)
    base = queue_conditions(user, queue_filters)
    within = area_filter_ids(user, filters["area"]) if filters.get("area") else None
    branches = visibility_branches(user, within, queue=True)
    return base, [Q()] if branches is None else branches


def _check_area(user: User, code: str) -> None:
    """The area filter names an area that exists (404) and that overlaps the user's area
    (403): inside it, or above it (the queue's filter then keeps the user's part). The queue
    answers an empty list for a foreign area; a file of no rows would read as "no events
    there", which the user cannot know, so the export says why instead."""
    area = Area.objects.filter(code=code).only("path").first()
    if area is None:
        raise NotFound(_("There is no area with code %(code)s.") % {"code": code}, field="area")
    prefix = scope_path(user)
    if prefix is None or not (area.path.startswith(prefix) or prefix.startswith(area.path)):
        raise OutOfScope(
            _("The area %(code)s is outside your area: export your own area or a part of it.")
            % {"code": code},
            field="area",
        )


def export_ids(*, user: User, filters: dict) -> list[int]:
    """The ids of the events to export, newest first, or a 400 beyond MAX_ROWS; an area
    filter outside the user's area is a 403, an unknown one a 404."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    if filters.get("area"):
        _check_area(user, filters["area"])
    base, branches = _branches(user, filters)
    if filters.get("since"):
        base &= Q(reported_at__gte=filters["since"])
    if filters.get("until"):
        base &= Q(reported_at__lt=filters["until"])
    found: dict[int, dt.datetime] = {}
    for branch in branches:
        rows = (
            Event.objects.filter(base & branch)
            .order_by("-reported_at", "-id")
            .values_list("id", "reported_at")[: MAX_ROWS + 1]
        )
        found.update(rows)
        if len(found) > MAX_ROWS:
            raise DomainError(
                _(
                    "More than %(max)s events match: narrow the filters (a shorter period, "
                    "an area, a state) and export again."
                )
                % {"max": f"{MAX_ROWS:,}"},
                code="too_many_rows",
                field="since",
            )
    return [
        pk for pk, _at in sorted(found.items(), key=lambda item: (item[1], item[0]), reverse=True)
    ]


def header() -> list[str]:
    return [
        _("Number"),
        _("Reported at"),
        _("Subclass code"),
        _("Subclass"),
        _("Category"),
        _("State"),
        _("Urgency"),
        _("Source"),
        _("Area code"),
        _("Area"),
        _("Address"),
        _("Description"),
        _("Reporter"),
        _("Reporter's phone"),
        _("Handling department"),
        _("Assignee"),
        _("Handling due at"),
        _("Closed at"),
        _("Satisfaction"),
        _("Rework count"),
        _("Supervised"),
    ]


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


FIELDS = (
    "id",
    "number",
    "reported_at",
    "subclass__code",
    "subclass__name_zh",
    "subclass__event_class__name_zh",
    "state",
    "urgency",
    "source",
    "area__code",
    "area__name",
    "address",
    "description",
    "reporter_name",
    "reporter_phone",
    "reporter__last_name",
    "reporter__first_name",
    "department__name",
    "assignee__username",
    "handle_due_at",
    "closed_at",
    "satisfaction",
    "rework_count",
    "supervised",
)


def export_rows(ids: list[int], masked: bool) -> Iterator[list[Any]]:
    """The rows of `ids` in that order, fetched a chunk at a time by primary key."""
    sources, urgencies = dict(Source.choices), dict(Urgency.choices)
    satisfactions = dict(Satisfaction.choices)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = {r["id"]: r for r in Event.objects.filter(pk__in=chunk).values(*FIELDS)}
        for pk in chunk:
            r = rows.get(pk)
            if r is None:  # deleted since the ids were read
                continue
            name = r["reporter_name"] or full_name(
                r["reporter__last_name"] or "", r["reporter__first_name"] or ""
            )
            phone, address = r["reporter_phone"], r["address"]
            if masked:
                name, phone, address = _mask_name(name), mask_phone(phone), mask_text(address)
            yield [
                r["number"],
                _local(r["reported_at"]),
                r["subclass__code"],
                r["subclass__name_zh"],
                r["subclass__event_class__name_zh"],
                str(STATE_LABELS.get(r["state"], r["state"])),
                str(urgencies.get(r["urgency"], r["urgency"])),
                str(sources.get(r["source"], r["source"])),
                r["area__code"],
                r["area__name"],
                address,
                r["description"],
                name,
                phone,
                r["department__name"] or "",
                r["assignee__username"] or "",
                _local(r["handle_due_at"]),
                _local(r["closed_at"]),
                str(satisfactions.get(r["satisfaction"], r["satisfaction"] or "")),
                r["rework_count"],
                r["supervised"],
            ]


def event_export_start(
    *, user: User, raw_filters: dict[str, Any], fmt: str, ip: str | None = None
) -> tuple[EventExport, list[int]]:
    """Check the request, read the ids (bounded), and write the audit rows; the caller then
    streams `export_rows(ids, export.masked)`."""
    require_capability(user, Capability.ANALYTICS_VIEW)
    if fmt not in EventExport.Format.values:
        raise DomainError(
            _("Events are exported as csv or xlsx."), code="bad_format", field="format"
        )
    filters = export_filters(raw_filters)
    ids = export_ids(user=user, filters=filters)
    masked = not can(user, Capability.PII_VIEW)
    recorded = {
        k: (v.isoformat() if isinstance(v, dt.datetime) else v)
        for k, v in filters.items()
        if v not in (None, False)
    }
    export = EventExport.objects.create(
        user=user, format=fmt, filters=recorded, rows=len(ids), masked=masked, ip=ip
    )
    if not masked:
        pii_access_record(
            user=user,
            model="events",
            object_ids=ids,
            fields=["reporter_name", "reporter_phone", "address"],
            channel="export",
            ip=ip,
        )
    return export, ids


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(ids: list[int], masked: bool) -> Iterator[str]:
    """CSV text, a line at a time, with a byte-order mark so spreadsheet programs read the
    Chinese as UTF-8; cells that could start a formula are neutralised as in Excel files."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())
    for row in export_rows(ids, masked):
        yield writer.writerow([cell_safe(v) if isinstance(v, str) else v for v in row])


def _xlsx_cell(sheet, value: Any) -> WriteOnlyCell:
    """A cell that shows the text as it is and is never a formula. openpyxl makes a string
    that starts with "=" a formula cell; typed back to a string ("s") it is written as a
    string, which a spreadsheet shows and never evaluates, so the apostrophe the CSV needs
    (a CSV cell has no type) would only be a visible extra character here."""
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    text = xml_safe(value)
    cell = WriteOnlyCell(sheet, value=text)
    if text.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
    return cell


def xlsx_file(ids: list[int], masked: bool):
    """The workbook in a temporary file (deleted when closed), rewound for reading."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Events")[:31])
    bold = Font(bold=True)
    cells = []
    for text in header():
        cell = _xlsx_cell(sheet, text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in export_rows(ids, masked):
        sheet.append([_xlsx_cell(sheet, v) if isinstance(v, str) else v for v in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(handle)
    handle.seek(0)
    return handle


# Used by callers that need the whole filter vocabulary (the API's parameters, the page's link).
ALL_FILTERS = (*TEXT_FILTERS, *FLAG_FILTERS, "since", "until")
