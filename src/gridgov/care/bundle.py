"""The registry of a grid worker's own grid(s), for the phone to keep offline (issue 12).

The phone keeps the bundle encrypted at rest (AES-GCM) with a key that lives in the server
session (`registry_key`): signing out ends the session, and with it the only copy of the key
the server hands out; the app wipes its cache at sign-out as well.

What is in it: households (titled by address and head, with their door-plate token), the
living people (name, relation, age, masked phone and ID — enough to recognise someone at the
door, not to copy the registry), their special groups under the sensitive rule, and who
needs a visit. Reading it is a read of personal data: audited as channel "bundle".
"""

import base64
import datetime as dt
import secrets
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import can, require_capability, scope_queryset
from gridgov.accounts.services import pii_access_record
from gridgov.areas.models import Area
from gridgov.care.models import CareTag, ResidentTag
from gridgov.common.errors import PermissionDenied
from gridgov.registry.models import Household, Resident
from gridgov.registry.naming import household_address, household_title
from gridgov.registry.pii import mask_id_number, mask_phone
from gridgov.smartcodes.models import SmartCode

CHANNEL = "bundle"
SESSION_KEY = "gridgov_registry_key"
# A grid has a few hundred to a few thousand households; a bundle larger than this is a
# misconfigured assignment (a worker given a whole street), refused rather than shipped.
MAX_PEOPLE = 20_000


def worker_grids(user: User) -> list[Area]:
    """The grids a user works in: their grid assignments, or their own area for a grid
    worker or grid head placed on a grid. Only areas inside the user's scope."""
    if not (user.is_authenticated and can(user, Capability.REGISTRY_VIEW)):
        return []
    ids = set(user.grid_assignments.values_list("grid_id", flat=True))
    if not ids and user.area_id and user.role in (Role.GRID_WORKER, Role.GRID_HEAD):
        ids = {user.area_id}
    return list(
        scope_queryset(Area.objects.filter(pk__in=ids), user, area_field="").order_by("code")
    )


def _require_worker(user: User) -> list[Area]:
    require_capability(user, Capability.REGISTRY_VIEW)
    grids = worker_grids(user)
    if not grids:
        raise PermissionDenied(_("The registry on the phone is for the workers of a grid."))
    return grids


def registry_key(*, user: User, session) -> dict[str, str]:
    """The key the phone encrypts its copy with: random, one per session, forgotten with it."""
    _require_worker(user)
    stored = session.get(SESSION_KEY)
    if not stored:
        stored = {
            "id": secrets.token_hex(8),
            "key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        session[SESSION_KEY] = stored
    return dict(stored)


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def registry_bundle(*, user: User, ip: str | None = None) -> dict[str, Any]:
    """Everything the phone needs offline for the user's own grid(s). Raises PermissionDenied
    for anyone who is not a grid's worker."""
    grids = _require_worker(user)
    today = timezone.localdate()
    # The grids and any micro-grids under them, as ids: the area index answers, where a
    # LIKE on the joined path would read every resident of the district.
    under = Q()
    for grid in grids:
        under |= Q(path__startswith=grid.path)
    paths = Q(area_id__in=list(Area.objects.filter(under).values_list("pk", flat=True)))
    pii = can(user, Capability.PII_VIEW)
    sensitive = can(user, Capability.CARE_SENSITIVE_VIEW)

    households = list(
        Household.objects.filter(paths)
        .select_related("head", "building", "building__compound", "area")
        .order_by("building_id", "room", "pk")
    )
    people = list(
        Resident.objects.filter(paths, status=Resident.Status.LIVING, household__isnull=False)
        .order_by("household_id", "pk")
        .values(
            "pk", "household_id", "name", "gender", "birth_date", "relation", "phone",
            "id_number", "residence",
        )[: MAX_PEOPLE + 1]
    )  # fmt: skip
    if len(people) > MAX_PEOPLE:
        raise PermissionDenied(_("Your grids hold too many people to keep on a phone."))

    tags_visible = CareTag.objects.filter(active=True)
    if not sensitive:
        tags_visible = tags_visible.filter(sensitive=False)
    tags = list(tags_visible.order_by("position", "pk"))
    tag_by_id = {t.pk: t for t in tags}
    memberships = list(
        ResidentTag.objects.filter(
            paths, ended_on__isnull=True, tag_id__in=tag_by_id, resident__status="living"
        ).values("resident_id", "tag_id", "visit_due", "last_visit_at", "details")
    )
    tags_of: dict[int, list[dict]] = {}
    for row in memberships:
        tag = tag_by_id[row["tag_id"]]
        due = row["visit_due"]
        tags_of.setdefault(row["resident_id"], []).append(
            {
                "key": tag.key,
                "name": tag.name,
                "sensitive": tag.sensitive,
                "visit_due": due.isoformat() if due else None,
                "overdue": bool(due and due < today),
                "last_visit_at": row["last_visit_at"].isoformat() if row["last_visit_at"] else None,
            }
        )

    plates = dict(
        SmartCode.objects.filter(
            kind="households", object_id__in=[h.pk for h in households], revoked_at__isnull=True
        ).values_list("object_id", "token")
    )
    household_rows = [
        {
            "id": h.pk,
            "title": household_title(h, masked=not pii),
            "address": household_address(h, masked=not pii),
            "grid": h.area.code,
            "grid_name": h.area.name,
            "occupancy": h.occupancy,
            "occupancy_name": h.get_occupancy_display(),
            "head_id": h.head_id,
            "plate": plates.get(h.pk),
        }
        for h in households
    ]
    titles = {h["id"]: h["title"] for h in household_rows}
    person_rows = [
        {
            "id": p["pk"],
            "household_id": p["household_id"],
            "name": p["name"],
            "gender": p["gender"],
            "age": _age(p["birth_date"], today),
            "relation": p["relation"],
            "residence": p["residence"],
            # Masked for everyone: the phone is for recognising, the pages for reading.
            "phone": mask_phone(p["phone"]) if p["phone"] else "",
            "id_number": mask_id_number(p["id_number"]),
            "tags": tags_of.get(p["pk"], []),
        }
        for p in people
    ]
    names = {p["id"]: p for p in person_rows}
    due = sorted(
        (
            {
                "resident_id": pid,
                "name": names[pid]["name"],
                "household_id": names[pid]["household_id"],
                "household_title": titles.get(names[pid]["household_id"], ""),
                "tags": [t for t in person_tags if t["visit_due"]],
            }
            for pid, person_tags in tags_of.items()
            if pid in names and any(t["visit_due"] for t in person_tags)
        ),
        key=lambda d: min(t["visit_due"] for t in d["tags"]),
    )

    if pii and households:
        pii_access_record(
            user=user,
            model="registry.household",
            object_ids=[h.pk for h in households],
            fields=["address"],
            channel=CHANNEL,
            ip=ip,
        )
    seen_sensitive = sorted({t["key"] for ts in tags_of.values() for t in ts if t["sensitive"]})
    if seen_sensitive:
        pii_access_record(
            user=user,
            model="care.residenttag",
            object_ids=[pid for pid, ts in tags_of.items() if any(t["sensitive"] for t in ts)],
            fields=[f"tag:{key}" for key in seen_sensitive],
            channel=CHANNEL,
            ip=ip,
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "today": today.isoformat(),
        "grids": [{"code": g.code, "name": g.name} for g in grids],
        "tags": [
            {
                "key": t.key,
                "name": t.name,
                "sensitive": t.sensitive,
                "visit_every_days": t.visit_every_days,
            }
            for t in tags
        ],
        "households": household_rows,
        "people": person_rows,
        "due": due,
    }
