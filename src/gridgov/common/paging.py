"""Offset/limit from a query string, clamped so no database sees a number it cannot hold."""

MAX_OFFSET = 1_000_000_000


def page_slice(offset: int, limit: int, max_limit: int) -> slice:
    start = min(max(0, offset), MAX_OFFSET)
    return slice(start, start + max(1, min(limit, max_limit)))
