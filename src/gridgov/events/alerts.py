"""Camera and sensor alerts: one webhook per source, each request signed with HMAC-SHA256.

The platform sends JSON {"camera_id", "type", "time", "snapshot_url"} with the header
`X-Gridgov-Signature: sha256=<hex of HMAC(secret, raw body)>`. The camera must be
registered (registry.Camera.code); its location places the event on the grid.
"""

import hashlib
import hmac
import json
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError, NotFound, PermissionDenied
from gridgov.common.when import parse_when
from gridgov.events.models import AlertSource, Event, Source
from gridgov.events.services import event_report
from gridgov.registry.models import Camera


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def alert_receive(*, source_name: str, body: bytes, signature: str | None) -> Event:
    source = (
        AlertSource.objects.filter(name=source_name, active=True)
        .select_related("default_subclass")
        .first()
    )
    if source is None:
        raise NotFound(_("No such alert source."))
    if not signature or not hmac.compare_digest(signature_for(source.secret, body), signature):
        raise PermissionDenied(_("The signature does not match."))
    try:
        payload = json.loads(body)
    except ValueError:
        raise DomainError(_("The body is not JSON."), field="body") from None
    if not isinstance(payload, dict):
        raise DomainError(_("The body is not a JSON object."), field="body")
    camera = Camera.objects.filter(code=str(payload.get("camera_id") or "")).first()
    if camera is None:
        raise NotFound(
            _("Camera %(id)r is not registered.") % {"id": payload.get("camera_id")},
            field="camera_id",
        )
    subclass = payload.get("type") or (
        source.default_subclass.code if source.default_subclass else None
    )
    happened = timezone.localtime(parse_when(str(payload.get("time") or ""), field="time"))
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
                "snapshot_url": payload.get("snapshot_url"),
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
