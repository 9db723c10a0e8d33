"""Camera and sensor alerts: one webhook per source, each request signed with HMAC-SHA256.

The platform sends JSON {"camera_id", "type", "time", "snapshot_url"} with the header
`X-Gridgov-Signature: sha256=<hex of HMAC(secret, raw body)>`. A platform that also sends
`X-Gridgov-Timestamp: <unix seconds>` signs `<timestamp>.<raw body>` instead. The camera
must be registered (registry.Camera.code); its location places the event on the grid.

Hostile callers (issue 8): an unknown source and a bad signature get the same answer after
the same work (an HMAC is computed either way), so the webhook does not tell which source
names exist; an alert whose time (or signed timestamp) is further from now than the
source's freshness window is refused, so a captured request replayed later creates nothing;
the snapshot link must be a bounded http(s) address.
"""

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError, NotFound, PermissionDenied
from gridgov.common.links import web_url_clean
from gridgov.common.when import parse_when
from gridgov.events.models import AlertSource, Event, Source
from gridgov.events.services import event_report
from gridgov.registry.models import Camera

SIGNATURE_HEADER = "X-Gridgov-Signature"
TIMESTAMP_HEADER = "X-Gridgov-Timestamp"
# Checked against when the source is unknown, so that answer costs what a bad signature costs.
_NO_SOURCE_SECRET = secrets.token_hex(32)


def signature_for(secret: str, body: bytes, timestamp: str | None = None) -> str:
    message = body if timestamp is None else timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _verified_source(
    source_name: str, body: bytes, signature: str | None, timestamp: str | None
) -> AlertSource:
    source = (
        AlertSource.objects.filter(name=source_name, active=True)
        .select_related("default_subclass")
        .first()
    )
    expected = signature_for(source.secret if source else _NO_SOURCE_SECRET, body, timestamp)
    matches = hmac.compare_digest(expected.encode(), (signature or "").encode("utf-8", "replace"))
    if source is None or not matches:
        raise PermissionDenied(
            _("Unknown alert source or a signature that does not match."), code="bad_signature"
        )
    return source


def _require_fresh(at: dt.datetime, window: dt.timedelta, now: dt.datetime, field: str) -> None:
    if abs(now - at) > window:
        raise DomainError(
            _("The alert is more than %(n)d minutes away from now; it is not taken.")
            % {"n": int(window.total_seconds() // 60)},
            code="stale",
            field=field,
        )


def alert_receive(
    *,
    source_name: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """An event at the alert's camera. Preconditions: a known active source and its
    signature; a time (and signed timestamp, if sent) within the source's freshness window;
    a registered camera. The same alert sent again is the same event."""
    source = _verified_source(source_name, body, signature, timestamp)
    now = now or timezone.now()
    window = dt.timedelta(minutes=source.freshness_minutes)
    if timestamp is not None:
        try:
            signed_at = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise DomainError(_("The timestamp must be Unix seconds."), field="timestamp") from None
        _require_fresh(signed_at, window, now, "timestamp")
    try:
        payload = json.loads(body)
    except ValueError:
        raise DomainError(_("The body is not JSON."), field="body") from None
    if not isinstance(payload, dict):
        raise DomainError(_("The body is not a JSON object."), field="body")
    happened = timezone.localtime(parse_when(str(payload.get("time") or ""), field="time"))
    _require_fresh(happened, window, now, "time")
    snapshot_url = web_url_clean(payload.get("snapshot_url"), field="snapshot_url")
    camera = Camera.objects.filter(code=str(payload.get("camera_id") or "")).first()
    if camera is None:
        raise NotFound(
            _("Camera %(id)r is not registered.") % {"id": str(payload.get("camera_id"))[:40]},
            field="camera_id",
        )
    subclass = payload.get("type") or (
        source.default_subclass.code if source.default_subclass else None
    )
    return event_report(
        user=None,
        data={
            "subclass": subclass,
            "description": _("Alert from camera %(name)s at %(time)s")
            % {"name": camera.name, "time": happened.isoformat()},
            "lon": camera.lon,
            "lat": camera.lat,
            "address": camera.address,
            "extra": {
                "camera_id": camera.code,
                "alert_source": source.name,
                "time": happened.isoformat(),
                "snapshot_url": snapshot_url,
            },
            # One event per (source, camera, type, time): a platform's retry is not a new event.
            "client_uuid": str(
                uuid.uuid5(
                    uuid.NAMESPACE_URL,
                    f"{source.name}/{camera.code}/{subclass}/{happened.isoformat()}",
                )
            ),
        },
        source=Source.CAMERA,
    )
