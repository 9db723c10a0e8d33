"""Issuing, revoking and scanning smart codes; patrol check-ins."""

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import area_in_scope, require_area_in_scope, require_capability
from gridgov.areas.codes import ancestor_paths
from gridgov.areas.coords import to_wgs84
from gridgov.areas.geometry import check_point, haversine_m
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.common.idempotency import client_uuid_clean
from gridgov.registry.kinds import KINDS
from gridgov.smartcodes.models import PLACE_KINDS, CheckIn, SmartCode

FAR_M = 200
OFFLINE_WINDOW = dt.timedelta(days=7)


def codes_issue(*, user: User, root_code: str, kinds: tuple[str, ...] = PLACE_KINDS) -> int:
    """Give every place under `root_code` that has no live code a new one. Idempotent."""
    require_capability(user, Capability.REGISTRY_EDIT)
    root = Area.objects.filter(code=root_code).first()
    if root is None:
        raise NotFound(
            _("There is no area with code %(code)s.") % {"code": root_code}, field="root"
        )
    require_area_in_scope(user, root)
    created = 0
    for kind in kinds:
        if kind not in PLACE_KINDS:
            raise DomainError(_("%(kind)s do not carry plates.") % {"kind": kind}, field="kinds")
        model = KINDS[kind].model
        coded = set(
            SmartCode.objects.filter(kind=kind, revoked_at__isnull=True).values_list(
                "object_id", flat=True
            )
        )
        places = (
            model.objects.filter(area__path__startswith=root.path)
            .values_list("pk", "area_id", "area__code")
            .order_by("pk")
        )
        rows = [
            SmartCode(
                kind=kind,
                object_id=pk,
                area_id=area_id,
                serial=f"{area_code}-{kind[0].upper()}{pk:07d}",
            )
            for pk, area_id, area_code in places
            if pk not in coded
        ]
        with transaction.atomic():
            # A revoked code keeps its serial; a reissued one gets a suffix.
            taken = set(
                SmartCode.objects.filter(serial__in=[r.serial for r in rows]).values_list(
                    "serial", flat=True
                )
            )
            for row in rows:
                if row.serial in taken:
                    row.serial = f"{row.serial}-{timezone.now():%y%m%d%H%M%S}"
            SmartCode.objects.bulk_create(rows, batch_size=2000)
        created += len(rows)
    return created


def code_revoke(*, user: User, token: str) -> SmartCode:
    require_capability(user, Capability.REGISTRY_EDIT)
    code = SmartCode.objects.select_related("area").filter(token=token).first()
    if code is None:
        raise NotFound(_("No such code."))
    require_area_in_scope(user, code.area)
    if not SmartCode.objects.filter(pk=code.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        raise Conflict(_("The code was already revoked."), code="already")
    code.refresh_from_db()
    return code


def code_resolve(token: str) -> tuple[SmartCode, Any]:
    """The code and its place; NotFound for an unknown token (a revoked code resolves, and says so)."""
    code = SmartCode.objects.select_related("area").filter(token=token).first()
    if code is None:
        raise NotFound(_("This code is not one of ours."))
    place = KINDS[code.kind].model.objects.select_related("area").filter(pk=code.object_id).first()
    if place is None:
        raise NotFound(_("The place of this code no longer exists."))
    return code, place


def may_patrol(user: User, code: SmartCode) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.role in (Role.GRID_WORKER, Role.GRID_HEAD, Role.AREA_STAFF))
        and area_in_scope(user, code.area)
    )


def check_in(
    *,
    user: User,
    token: str,
    lon: Any = None,
    lat: Any = None,
    crs: str = "wgs84",
    client_uuid: Any = None,
    at: dt.datetime | None = None,
) -> tuple[CheckIn, bool]:
    """码上巡: a worker on patrol scans a place; the distance to it is recorded. A check-in
    without a position, or over 200 m from the place, is stored flagged (CheckIn.flag): it
    does not prove a visit. A check-in queued offline carries its scan time and a client
    UUID: sent twice, it is stored once (answers (check_in, False))."""
    client_uuid = client_uuid_clean(client_uuid)
    if client_uuid:
        existing = CheckIn.objects.filter(client_uuid=client_uuid, user=user).first()
        if existing is not None:
            return existing, False
    code, place = code_resolve(token)
    if code.revoked_at:
        raise Conflict(_("This code has been revoked."), code="revoked")
    if not may_patrol(user, code):
        raise PermissionDenied(_("Only the workers of this grid check in here."))
    now = timezone.now()
    if at is not None and not (now - OFFLINE_WINDOW <= at <= now + dt.timedelta(minutes=5)):
        raise DomainError(_("The scan time must be within the last 7 days."), field="at")
    distance = None
    if lon not in (None, "") and lat not in (None, ""):
        lon, lat = check_point(lon, lat)
        lon, lat = to_wgs84(lon, lat, crs)
        distance = round(haversine_m(lon, lat, place.lon, place.lat), 1)
    else:
        lon = lat = None
    far = distance is not None and distance > FAR_M
    if distance is None:
        flag = CheckIn.Flag.NO_POSITION
    else:
        flag = CheckIn.Flag.FAR if far else CheckIn.Flag.AT_PLACE
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(
                code=code,
                user=user,
                lon=lon,
                lat=lat,
                distance_m=distance,
                far=far,
                flag=flag,
                at=min(at or now, now),
                client_uuid=client_uuid or None,
            )
    except IntegrityError:
        # The same worker's resend won a race; another worker's UUID is not theirs to read.
        mine = CheckIn.objects.filter(client_uuid=client_uuid, user=user).first()
        if mine is None:
            raise Conflict(
                _("This client UUID belongs to another check-in."), code="client_uuid_taken"
            ) from None
        return mine, False
    return row, True


def policies_for(code: SmartCode):
    """The policies of the code's area and every area above it, for its kind of place."""
    from django.db.models import Q

    from gridgov.smartcodes.models import Policy

    return (
        Policy.objects.filter(active=True, area__path__in=ancestor_paths(code.area.path))
        .filter(Q(applies_to="") | Q(applies_to=code.kind))
        .order_by("area__depth", "position", "pk")
    )


def registration_submit(*, token: str, data: dict[str, Any]) -> tuple[Any, bool]:
    """登记码: anyone may register at a live code. The same form sent twice (a double tap, a
    retry) is stored once, by its client UUID."""
    from gridgov.registry.pii import id_number_clean, phone_clean
    from gridgov.smartcodes.models import Registration

    code, _place = code_resolve(token)
    if code.revoked_at:
        raise Conflict(_("This code has been revoked."), code="revoked")
    try:
        client_uuid = uuid.UUID(str(data.get("client_uuid") or ""))
    except ValueError:
        raise DomainError(_("Reload the form and try again."), field="client_uuid") from None
    existing = Registration.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    name = str(data.get("name") or "").strip()
    if not 1 <= len(name) <= 50:
        raise DomainError(_("Please give your name."), field="name")
    id_number = id_number_clean(str(data.get("id_number") or ""))
    if not id_number:
        raise DomainError(_("Please give your ID number."), field="id_number")
    phone = phone_clean(str(data.get("phone") or ""))
    if not phone:
        raise DomainError(_("Please give a mobile number."), field="phone")
    try:
        arrived_on = dt.date.fromisoformat(str(data.get("arrived_on") or ""))
    except ValueError:
        raise DomainError(_("The arrival date must be YYYY-MM-DD."), field="arrived_on") from None
    today = timezone.localdate()
    if not today - dt.timedelta(days=366) <= arrived_on <= today + dt.timedelta(days=60):
        raise DomainError(_("The arrival date is out of range."), field="arrived_on")
    came_from = str(data.get("came_from") or "").strip()[:100]
    address = str(data.get("address") or "").strip()[:200]
    if not came_from:
        raise DomainError(_("Where are you coming from?"), field="came_from")
    if not address:
        raise DomainError(_("Where are you staying?"), field="address")
    try:
        with transaction.atomic():
            row = Registration.objects.create(
                code=code,
                area=code.area,
                name=name,
                id_number=id_number,
                phone=phone,
                came_from=came_from,
                arrived_on=arrived_on,
                address=address,
                note=str(data.get("note") or "").strip()[:300],
                client_uuid=client_uuid,
            )
    except IntegrityError:
        return Registration.objects.get(client_uuid=client_uuid), False
    return row, True
