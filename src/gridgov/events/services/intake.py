"""Intake: a report from any channel becomes an event, once everything in it is checked."""

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import area_in_scope
from gridgov.analytics.services import rollup_event_created
from gridgov.areas import hexes, spatial_index
from gridgov.areas.coords import to_wgs84
from gridgov.areas.geometry import check_point, haversine_m
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, OutOfScope
from gridgov.common.idempotency import client_uuid_clean
from gridgov.common.text import xml_safe
from gridgov.events import classifier
from gridgov.events.access import may_see
from gridgov.events.calendar import WorkingCalendar
from gridgov.events.catalog_cache import catalog
from gridgov.events.channels import report_source
from gridgov.events.models import (
    Component,
    Event,
    Source,
    Subclass,
    Urgency,
)
from gridgov.events.numbers import next_event_number_with
from gridgov.events.photos import photo_store, photos_attach, photos_for_refs
from gridgov.events.services.timeline import stage_deadline, text_clean, timeline_add
from gridgov.events.signals import event_changed_on_commit
from gridgov.events.workflow import (
    TERMINAL,
    State,
)
from gridgov.registry.pii import phone_clean


def _subclass(code: Any) -> Subclass:
    subclass = catalog().active_subclass(str(code or "").strip())
    if subclass is None:
        raise DomainError(
            _("Unknown event subclass %(code)r.") % {"code": code},
            code="unknown_subclass",
            field="subclass",
        )
    return subclass


def likely_duplicate(
    *,
    subclass: Subclass,
    lon: float,
    lat: float,
    at: dt.datetime,
    candidates: list[tuple] | None = None,
) -> Event | None:
    """The newest open event of the same subclass within the subclass's radius and window.
    `candidates`: the rows of `_duplicate_sql`, when the caller read them already."""
    radius = subclass.duplicate_radius_m
    if candidates is None:
        with connection.cursor() as cursor:
            cursor.execute(*_duplicate_sql(subclass, lon, lat, at))
            candidates = cursor.fetchall()
    for pk, number, other_lon, other_lat in candidates:
        if haversine_m(lon, lat, other_lon, other_lat) <= radius:
            duplicate = Event(pk=pk, number=number, lon=other_lon, lat=other_lat)
            duplicate._state.adding = False
            return duplicate
    return None


_TERMINAL_STATES = tuple(TERMINAL)


def _duplicate_sql(subclass: Subclass, lon: float, lat: float, at: dt.datetime) -> tuple[str, list]:
    """(id, number, lon, lat) of up to 20 open events of the subclass in its window, inside
    the box around the point, newest first. Every report runs this; as SQL it costs a
    fifth of the queryset's compile (issue 9)."""
    radius = subclass.duplicate_radius_m
    dlat = radius / 111_320
    dlon = radius / (111_320 * max(0.01, math.cos(math.radians(lat))))
    since = at - dt.timedelta(hours=subclass.duplicate_window_hours)
    quote = connection.ops.quote_name
    states = ", ".join(["%s"] * len(_TERMINAL_STATES))
    sql = (
        f"SELECT {quote('id')}, {quote('number')}, {quote('lon')}, {quote('lat')} "
        f"FROM {quote(Event._meta.db_table)} "
        f"WHERE {quote('subclass_id')} = %s AND {quote('reported_at')} >= %s "
        f"AND {quote('lon')} BETWEEN %s AND %s AND {quote('lat')} BETWEEN %s AND %s "
        f"AND {quote('state')} NOT IN ({states}) "
        f"ORDER BY {quote('reported_at')} DESC LIMIT 20"
    )
    params = [
        subclass.pk,
        connection.ops.adapt_datetimefield_value(since),
        lon - dlon,
        lon + dlon,
        lat - dlat,
        lat + dlat,
        *_TERMINAL_STATES,
    ]
    return sql, params


def _location(data: dict[str, Any], component: Component | None) -> tuple[float, float]:
    """WGS84 lon/lat from the report: its coordinates (any CRS), else the component's,
    else a registered place whose address matches (there is no geocoder offline)."""
    if data.get("lon") not in (None, "") or data.get("lat") not in (None, ""):
        lon, lat = check_point(data.get("lon"), data.get("lat"))
        return to_wgs84(lon, lat, data.get("crs") or "wgs84")
    if component is not None:
        return component.lon, component.lat
    address = str(data.get("address") or "").strip()
    if len(address) >= 4:
        from gridgov.registry.kinds import KINDS

        for kind in ("compounds", "markets", "businesses", "units", "buildings", "rentals"):
            place = (
                KINDS[kind].model.objects.filter(address__contains=address).order_by("pk").first()
            )
            if place is not None:
                return place.lon, place.lat
        raise DomainError(
            _("No registered place has the address %(address)r; give the location on the map.")
            % {"address": address},
            code="unknown_address",
            field="address",
        )
    raise DomainError(
        _("Give the location: coordinates, a component or a registered address."),
        code="required",
        field="lon",
    )


def _area_of(node: spatial_index.AreaNode) -> Area:
    """The grid as the index knows it, without a query: what intake and the answer read
    (id, code, name, kind, depth, path). A save would need the row: it is never saved."""
    chain = spatial_index.get_index().chain(node)
    area = Area(
        id=node.id,
        code=node.code,
        name=node.name,
        kind=node.kind,
        depth=node.depth,
        parent_id=node.parent_id,
        path="/" + "/".join(n.code for n in chain) + "/",
    )
    area._state.adding = False
    area._state.db = "default"
    return area


MAX_PHOTOS_PER_REPORT = 9


EXTRA_MAX_DEPTH = 4
EXTRA_MAX_CHARS = 8000


def _extra_clean(value: Any, depth: int = 0) -> Any:
    """The extra fields with every string made XML-safe (they reach Open311 and Excel),
    bounded in depth and size: a deeply nested body must be a 400, not a RecursionError."""
    if depth > EXTRA_MAX_DEPTH:
        raise DomainError(_("The extra fields are nested too deeply."), field="extra")
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {xml_safe(str(k)): _extra_clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_extra_clean(v, depth + 1) for v in value]
    return value


def _resent(existing: Event, user: User | None, source: str) -> Event:
    """An offline resend gets back the event it stored, if the sender may see it. Anyone
    else learns nothing about that event: the answer is the same 409 for every taken UUID."""
    if user is not None and may_see(user, existing):
        return existing
    if user is None and source != Source.RESIDENT and existing.source == source:
        # A signed webhook's or an Open311 key's retry: the channel sees what it sent.
        if existing.reporter_id is None:
            return existing
    raise Conflict(
        _("This client_uuid was already used for another report; send a new one."),
        code="client_uuid_taken",
        field="client_uuid",
    )


def _event_of_client_uuid(client_uuid) -> Event | None:
    """The event stored under `client_uuid`, if any. Nearly every report is new: the
    look-up is plain SQL (compiling the queryset cost more than running it, issue 9) and
    the event is read only when there is one."""
    quote = connection.ops.quote_name
    value = Event._meta.get_field("client_uuid").get_db_prep_value(client_uuid, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')} FROM {quote(Event._meta.db_table)} "
            f"WHERE {quote('client_uuid')} = %s",
            [value],
        )
        row = cursor.fetchone()
    return Event.objects.filter(pk=row[0]).first() if row else None


def event_report(
    *,
    user: User | None,
    data: dict[str, Any],
    source: str | None = None,
    photo_files: Sequence[tuple[str, bytes]] = (),
) -> Event:
    """Take in a report. Preconditions: a known subclass, a description, a location inside a
    managed area (and inside a staff reporter's scope).

    `source` is a wish: the channel is derived from the reporter's role (`channels`).
    `user=None` is intake code without a person (public form, webhooks, Open311).
    `photo_files` (name, bytes) are stored only once the report is valid; photos stored
    for a report that then fails stay unattached and `photos_purge_unattached` removes them.
    A `client_uuid` already stored returns that event to whoever may see it, else 409."""
    source = report_source(user, source)
    client_uuid = client_uuid_clean(data.get("client_uuid"))
    if client_uuid:
        existing = _event_of_client_uuid(client_uuid)
        if existing is not None:
            return _resent(existing, user, source)
    subclass = _subclass(data.get("subclass"))
    description = text_clean(data.get("description"))
    if not description:
        raise DomainError(_("Please describe the problem."), code="required", field="description")
    # GeoReport v2 allows 4000 characters (open311 checks them); our own forms keep 2000.
    if len(description) > (4000 if source == Source.OPEN311 else 2000):
        raise DomainError(_("The description is longer than 2000 characters."), field="description")
    urgency = data.get("urgency") or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise DomainError(
            _("Urgency must be one of: %(values)s.") % {"values": ", ".join(Urgency.values)},
            field="urgency",
        )
    if subclass.urgent:  # a gas leak is filed at the top urgency, whatever was asked (0024)
        urgency = Urgency.CRITICAL
    component = None
    if data.get("component"):
        component = Component.objects.filter(identifier=str(data["component"]).strip()).first()
        if component is None:
            raise DomainError(
                _("No city component %(id)s is registered.") % {"id": data["component"]},
                field="component",
            )
    address = text_clean(data.get("address"), 200)
    lon, lat = _location({**data, "address": address}, component)
    node = spatial_index.get_index().deepest(lon, lat)
    if node is None:
        raise DomainError(
            _("(%(lon)s, %(lat)s) lies outside every managed area.")
            % {"lon": round(lon, 6), "lat": round(lat, 6)},
            code="outside_areas",
            field="lon",
        )
    area = _area_of(node)
    staff = (
        user is not None
        and user.is_authenticated
        and user.role != Role.RESIDENT
        and not user.is_superuser
    )
    if staff and not area_in_scope(user, area):
        raise OutOfScope(_("This location lies outside your area."), field="lon")
    refs = data.get("photos") or []
    if len(refs) + len(photo_files) > MAX_PHOTOS_PER_REPORT:
        raise DomainError(
            _("At most %(n)s photos per report.") % {"n": MAX_PHOTOS_PER_REPORT}, field="photos"
        )
    photos = photos_for_refs(refs, user=user)
    if source == Source.OPEN311:
        # GeoReport's `phone` is free text (a landline, a visitor's foreign number): length only.
        reporter_phone = text_clean(data.get("reporter_phone"), 32)
    else:
        reporter_phone = phone_clean(data.get("reporter_phone") or "", field="reporter_phone")
    extra = _extra_clean(data.get("extra") or {})
    if not isinstance(extra, dict):
        raise DomainError(_("Extra fields must be an object."), field="extra")
    if len(json.dumps(extra, ensure_ascii=False)) > EXTRA_MAX_CHARS:
        raise DomainError(_("The extra fields are too long."), field="extra")
    # Everything is checked: only now are new photos stored.
    photos += [photo_store(user=user, name=name, content=content) for name, content in photo_files]
    now = timezone.now()
    event = Event(
        subclass=subclass,
        description=description,
        urgency=urgency,
        source=source,
        area=area,
        lon=lon,
        lat=lat,
        h3_cell=hexes.cell_of(lon, lat),
        address=address,
        reporter=user if user and user.is_authenticated else None,
        reporter_name=text_clean(data.get("reporter_name"), 50),
        reporter_phone=reporter_phone,
        extra=extra,
        component=component,
    )
    # The number (taken before the event's transaction: no lock is held for it) and the
    # likely duplicates in one round trip on PostgreSQL.
    number, candidates = next_event_number_with(*_duplicate_sql(subclass, lon, lat, now))
    event.duplicate_of = likely_duplicate(
        subclass=subclass, lon=lon, lat=lat, at=now, candidates=candidates
    )
    event.number = number
    if client_uuid:
        event.client_uuid = client_uuid
    for key, value in stage_deadline(
        event, State.REPORTED, now, WorkingCalendar.from_database()
    ).items():
        setattr(event, key, value)
    event.accept_due_at = event.stage_due_at
    # The suggestion is kept for the operator who files the event (and to measure the model).
    event.extra = {**event.extra, "suggestions": classifier.suggest(description)}
    try:
        with transaction.atomic():
            _event_create(event, user, source, photos)
    except IntegrityError:
        # Two sends of one report at once: the other one stored it first (the unique
        # client_uuid decided). Its photos stay unattached and are purged later.
        existing = Event.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if existing is None:
            raise
        return _resent(existing, user, source)
    return event


def _event_create(event: Event, user: User | None, source: str, photos: list) -> None:
    event.save()
    photos_attach(photos, event)
    timeline_add(
        event,
        user,
        "report",
        "",
        State.REPORTED,
        data={
            "source": source,
            "photos": [p.ref for p in photos],
            "duplicate_of": event.duplicate_of.number if event.duplicate_of else None,
        },
    )
    # The apps above events (the residents' telling) hear of it once this commits.
    event_changed_on_commit(
        event=event, action="report", from_state="", to_state=State.REPORTED, comment="", actor=user
    )
    # The daily rollup, in this transaction and last: its district row is shared by every
    # report, so its lock is held only from here to the commit.
    rollup_event_created(event=event)
