"""What anonymous Open311 clients may read of an event (issue 8).

Publication is a property of the subclass: never (disputes, public order, people in
difficulty, petitions, Party matters), reports from the public only (the default: staff and
camera reports are internal), or every source. What is published is scrubbed: phone and ID
numbers leave the description, the location is rounded to about 100 m unless the event is
on a public facility (a registered city component, or a subclass marked so), and the
address of a private place is replaced by the name of its grid; a media link must be a web
address.

The command center moderates what the public sees (issue 11, residents.PublicView, reached
here through the event's reverse one-to-one `public_view` so that open311 imports no
residents code): a report it hid is not published anywhere, its public wording replaces the
description (scrubbed all the same), and a client's media link is published only once the
center approved media of that report for the public.
"""

import re

from django.db.models import Q, QuerySet

from gridgov.common.errors import DomainError
from gridgov.common.links import web_url_clean
from gridgov.common.text import xml_safe
from gridgov.events.models import Event, Source, Subclass

# Sources where a member of the public reported; everything else is staff or a machine.
PUBLIC_SOURCES = (Source.RESIDENT, Source.HOTLINE, Source.OPEN311)
# Three decimals of a degree: 111 m north-south, about 100 m east-west at Lijiang's latitude.
ROUNDED_DECIMALS = 3
EXACT_DECIMALS = 6
MASK = "***"

# A run of digits, possibly split by spaces, dashes, dots, slashes, underscores, middle dots,
# commas, colons or brackets (a phone written as 139 0888 1234, 139/0888/1234, +86·139…,
# (0888)512-3456, an ID number with a final X). \d matches full-width digits too.
_NUMBER = re.compile(r"[+＋(（]?\d[\d\s\-－—.．()（）/／_·・,，、:：]*[\dXx×Ｘ]")
# A phone read out in Chinese numerals (一三九零八八八一二三四): seven or more in a row.
_CHINESE_NUMBER = re.compile(
    r"[〇零一二三四五六七八九幺两](?:[\s\-·・]*[〇零一二三四五六七八九幺两]){6,}"
)
# Dates are set aside first: 2026-11-24 09:30 is not a phone number.
_DATE = re.compile(r"((?<!\d)\d{4}[-./年]\d{1,2}[-./月]\d{1,2}(?!\d))")
# Seven digits is the shortest local landline number; money or counts that long are masked
# too, which costs a reader little.
_MIN_DIGITS = 7
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def published_events(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """The events of `queryset` that their subclass allows anonymous clients to read, less
    those the command center hid (no PublicView row: nobody hid it)."""
    return queryset.filter(
        Q(subclass__publication=Subclass.Publication.ALL_SOURCES)
        | Q(subclass__publication=Subclass.Publication.PUBLIC_SOURCES, source__in=PUBLIC_SOURCES)
    ).exclude(public_view__hidden=True)


def _mask_number(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < _MIN_DIGITS:
        return text
    return MASK


def public_text(text: str, *, names: tuple[str, ...] = ()) -> str:
    """`text` without phone numbers (mobile, landline), ID numbers, e-mail addresses and the
    given `names` (the reporter's, which an operator often types in), and XML-safe."""
    text = _CHINESE_NUMBER.sub(MASK, _EMAIL.sub(MASK, xml_safe(text or "")))
    for name in names:
        if len(name.strip()) >= 2:  # one character would mask half the text
            text = text.replace(name.strip(), MASK)
    pieces = _DATE.split(text)  # dates at the odd indexes
    return "".join(
        piece if index % 2 else _NUMBER.sub(_mask_number, piece)
        for index, piece in enumerate(pieces)
    )


def public_description(event: Event) -> str:
    """The description scrubbed (what the public reads when the center has not reworded it)."""
    return public_text(event.description, names=(event.reporter_name,))


def _moderation(event: Event):
    """The event's PublicView (residents) or None; read with the event where the caller
    used select_related("public_view")."""
    return getattr(event, "public_view", None)  # no row: RelatedObjectDoesNotExist


def public_wording(event: Event) -> str:
    """What the public reads of the report: the center's wording when it wrote one, else
    the description; scrubbed either way (the center can overlook a phone number)."""
    view = _moderation(event)
    text = view.public_text if view is not None and view.public_text else event.description
    return public_text(text, names=(event.reporter_name,))


def public_media_url(event: Event) -> str | None:
    """A client's media link once the center approved media of this report for the public
    (photos need the same approval), and only if it is a web address: `extra` of a report
    is free-form."""
    view = _moderation(event)
    if view is None or view.hidden or not view.approved_photos:
        return None
    try:
        return web_url_clean((event.extra or {}).get("media_url"), field="media_url")
    except DomainError:
        return None


def exact_location_public(event: Event) -> bool:
    return event.component_id is not None or event.subclass.public_facility


def public_point(event: Event) -> tuple[float, float]:
    """(lat, lon) as published: exact on a public facility, else rounded to about 100 m."""
    decimals = EXACT_DECIMALS if exact_location_public(event) else ROUNDED_DECIMALS
    return round(event.lat, decimals), round(event.lon, decimals)


def public_address(event: Event) -> str | None:
    """The address where the place is public; otherwise only the grid, which names no house."""
    if exact_location_public(event):
        return public_text(event.address) or None
    return event.area.name if event.area_id else None
