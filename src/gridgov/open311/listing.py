"""The filters of GET /requests: the date window and the page.

GeoReport v2: start_date and end_date "may not span more than 90 days"; without them the
range is the most recent 90 days. One date alone opens a 90-day window from it (or up to
it). `page` and `page_size` are the common extension (SeeClickFix, Chicago): pages of
`page_size` requests, newest first, from page 1.
"""

import datetime as dt
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone

from gridgov.common.errors import DomainError
from gridgov.common.when import parse_when
from gridgov.open311.formats import GeoReportError

WINDOW = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def _date(params: QueryDict, name: str) -> dt.datetime | None:
    if not params.get(name):
        return None
    try:
        return parse_when(params[name], field=name)
    except DomainError:
        raise GeoReportError(
            400, f"{name} must be a W3C datetime, e.g. 2026-11-24T08:00:00+08:00"
        ) from None


def window_of(params: QueryDict) -> Window:
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise GeoReportError(400, "end_date is before start_date")
    if end - start > WINDOW:
        raise GeoReportError(400, "start_date and end_date may not span more than 90 days")
    return Window(start, end)


def _positive(params: QueryDict, name: str, default: int, most: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise GeoReportError(400, f"{name} must be a whole number from 1 to {most}")
    return int(raw)


def page_of(params: QueryDict) -> slice:
    size = _positive(params, "page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    page = _positive(params, "page", 1, MAX_PAGE)
    return slice((page - 1) * size, page * size)
