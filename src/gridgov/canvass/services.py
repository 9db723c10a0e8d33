"""Every write of a canvass: launching a campaign (a task per household) and filling a task."""

import datetime as dt
import uuid
from itertools import cycle
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import area_in_scope, require_area_in_scope
from gridgov.areas.models import Area, GridWorker
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.common.idempotency import client_uuid_clean
from gridgov.registry.models import Household

LAUNCHERS = (Role.AREA_STAFF, Role.SHIFT_LEADER, Role.LEADER)
BATCH = 5000


def _campaign_for(user: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("area").filter(pk=campaign_id).first()
    if campaign is None or not area_in_scope(user, campaign.area):
        raise NotFound(_("No such campaign."))
    return campaign


def campaign_create(
    *, user: User, name: str, area_code: str, due_date: Any, fields: list[dict], instructions=""
) -> Campaign:
    if not (user.is_superuser or user.role in LAUNCHERS):
        raise PermissionDenied(_("Only street and community staff start campaigns."))
    area = Area.objects.filter(code=str(area_code)).first()
    if area is None:
        raise NotFound(_("No area with code %(code)s.") % {"code": area_code}, field="area")
    require_area_in_scope(user, area, field="area")
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date)
        except ValueError:
            raise DomainError(_("The due date must be YYYY-MM-DD."), field="due_date") from None
    if not (name or "").strip():
        raise DomainError(_("Give the campaign a name."), field="name")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(),
            area=area,
            due_date=due_date,
            instructions=instructions,
            created_by=user,
        )
        for position, spec in enumerate(fields):
            kind = spec.get("kind", Field.Kind.TEXT)
            if kind not in Field.Kind.values:
                raise DomainError(
                    _("Unknown field kind %(kind)s.") % {"kind": kind}, field="fields"
                )
            Field.objects.create(
                campaign=campaign,
                position=position,
                key=spec["key"],
                label=spec.get("label") or spec["key"],
                kind=kind,
                choices="\n".join(spec.get("choices") or []),
                required=spec.get("required", True),
            )
    return campaign


def campaign_launch(*, user: User, campaign_id: int) -> int:
    """Open the campaign and make a task for every household under its area, each handed to
    a worker of the household's grid (in turn, when the grid has several). Run again after
    households are added: only the new ones get tasks. Returns the number of new tasks."""
    if not (user.is_superuser or user.role in LAUNCHERS):
        raise PermissionDenied(_("Only street and community staff start campaigns."))
    campaign = _campaign_for(user, campaign_id)
    if campaign.status == Campaign.Status.CLOSED:
        raise Conflict(_("The campaign is closed."), code="not_allowed_now")
    if not campaign.fields.exists():
        raise DomainError(_("The form has no questions yet."), field="fields")
    workers: dict[int, list[int]] = {}
    for grid_id, user_id in (
        GridWorker.objects.filter(grid__path__startswith=campaign.area.path, user__is_active=True)
        .order_by("grid_id", "employment", "user_id")  # full-time first
        .values_list("grid_id", "user_id")
    ):
        workers.setdefault(grid_id, []).append(user_id)
    turns = {grid_id: cycle(ids) for grid_id, ids in workers.items()}
    have = set(campaign.tasks.values_list("household_id", flat=True))
    households = (
        Household.objects.filter(area__path__startswith=campaign.area.path)
        .order_by("area_id", "pk")
        .values_list("pk", "area_id")
    )
    created = 0
    batch: list[Task] = []
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN)
        for household_id, area_id in households.iterator(chunk_size=BATCH):
            if household_id in have:
                continue
            turn = turns.get(area_id)
            batch.append(
                Task(
                    campaign_id=campaign.pk,
                    household_id=household_id,
                    area_id=area_id,
                    worker_id=next(turn) if turn else None,
                )
            )
            if len(batch) >= BATCH:
                Task.objects.bulk_create(batch)
                created += len(batch)
                batch = []
        if batch:
            Task.objects.bulk_create(batch)
            created += len(batch)
    return created


def campaign_close(*, user: User, campaign_id: int) -> Campaign:
    if not (user.is_superuser or user.role in LAUNCHERS):
        raise PermissionDenied()
    campaign = _campaign_for(user, campaign_id)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    campaign.refresh_from_db()
    return campaign


def _clean_answer(field: Field, value: Any, user: User) -> Any:
    if value in (None, "", []):
        if field.required:
            raise DomainError(
                _("“%(label)s” is required.") % {"label": field.label}, field=field.key
            )
        return None
    if field.kind == Field.Kind.NUMBER:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DomainError(
                _("“%(label)s” must be a number.") % {"label": field.label}, field=field.key
            ) from None
        if number != number or abs(number) > 1e12:  # NaN or absurd
            raise DomainError(
                _("“%(label)s” must be a number.") % {"label": field.label}, field=field.key
            )
        return int(number) if number.is_integer() else number
    if field.kind == Field.Kind.CHOICE:
        if str(value) not in field.choice_list:
            raise DomainError(
                _("“%(label)s” must be one of: %(choices)s.")
                % {"label": field.label, "choices": "、".join(field.choice_list)},
                field=field.key,
            )
        return str(value)
    if field.kind == Field.Kind.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise DomainError(
                _("“%(label)s” must be a date (YYYY-MM-DD).") % {"label": field.label},
                field=field.key,
            ) from None
    if field.kind == Field.Kind.PHOTO:
        from gridgov.events.photos import Photo

        text = str(value)
        try:
            key = uuid.UUID(text.removeprefix("photo:"))
        except ValueError:
            key = None
        if key is None or not Photo.objects.filter(key=key, uploaded_by=user).exists():
            raise DomainError(
                _("“%(label)s”: upload the photo first.") % {"label": field.label},
                field=field.key,
            )
        return f"photo:{key}"
    text = str(value).strip()
    if len(text) > 2000:
        raise DomainError(_("“%(label)s” is too long.") % {"label": field.label}, field=field.key)
    return text


def task_submit(
    *, user: User, task_id: int, answers: dict[str, Any], client_uuid: Any = None
) -> tuple[Task, bool]:
    """Fill a task. The same client_uuid twice stores once and answers (task, False).
    A later submission with a new uuid corrects the answers."""
    client_uuid = client_uuid_clean(client_uuid)
    if client_uuid:
        existing = Task.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.pk != task_id:
                raise Conflict(
                    _("This submission id was used for another household."), code="duplicate"
                )
            return existing, False
    task = Task.objects.select_related("campaign", "area", "household").filter(pk=task_id).first()
    if task is None or not area_in_scope(user, task.area):
        raise NotFound(_("No such task."))
    if not (user.is_superuser or user.role in (Role.GRID_WORKER, Role.GRID_HEAD, Role.AREA_STAFF)):
        raise PermissionDenied(_("Only grid staff fill canvass forms."))
    if task.campaign.status != Campaign.Status.OPEN:
        raise Conflict(_("The campaign is not open."), code="not_allowed_now")
    fields = list(task.campaign.fields.all())
    unknown = set(answers) - {f.key for f in fields}
    if unknown:
        raise DomainError(
            _("Unknown questions: %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    clean = {f.key: _clean_answer(f, answers.get(f.key), user) for f in fields}
    try:
        with transaction.atomic():
            Task.objects.filter(pk=task.pk).update(
                answers=clean,
                status=Task.Status.DONE,
                done_at=timezone.now(),
                done_by=user,
                client_uuid=client_uuid or None,
            )
    except IntegrityError:
        # The same submission raced in through another request: it is stored once.
        return Task.objects.get(client_uuid=client_uuid), False
    task.refresh_from_db()
    return task, True
