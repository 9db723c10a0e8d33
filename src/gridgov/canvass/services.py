"""Every write of a canvass: launching a campaign (a task per household) and filling a task."""

import datetime as dt
import re
import uuid
from itertools import cycle
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import area_in_scope, can, require_area_in_scope
from gridgov.areas.models import Area, GridWorker
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.canvass.selectors import FILLING_ROLES
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.common.idempotency import client_uuid_clean
from gridgov.events.photos import Photo
from gridgov.registry.models import Household
from gridgov.registry.pii import id_number_clean, phone_clean

BATCH = 5000
FIELD_KEY = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
MAX_FIELDS = 100


def _require_editor(user: User) -> None:
    if not can(user, Capability.CAMPAIGNS_EDIT):
        raise PermissionDenied(_("Only street and community staff start campaigns."))


def _campaign_for(user: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("area").filter(pk=campaign_id).first()
    if campaign is None or not area_in_scope(user, campaign.area):
        raise NotFound(_("No such campaign."))
    return campaign


def _area_for(user: User, area_code: str) -> Area:
    area = Area.objects.filter(code=str(area_code)).first()
    if area is None:
        raise NotFound(_("No area with code %(code)s.") % {"code": area_code}, field="area")
    require_area_in_scope(user, area, field="area")
    return area


def _due_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("The due date must be YYYY-MM-DD."), field="due_date") from None


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise DomainError(_("Give the campaign a name."), field="name")
    if len(name) > Campaign._meta.get_field("name").max_length:
        raise DomainError(_("The name is too long."), field="name")
    return name


def field_specs_clean(fields: list[dict]) -> list[dict[str, Any]]:
    """The questions of a form, checked: keys unique and short, kinds known, choices given
    for a choice. Pure, so the admin's inline checks the same rules before anything is
    written."""
    if len(fields) > MAX_FIELDS:
        raise DomainError(
            _("A form has at most %(n)s questions.") % {"n": MAX_FIELDS}, field="fields"
        )
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for spec in fields:
        key = str(spec.get("key") or "").strip()
        if not FIELD_KEY.match(key) or key in seen:
            raise DomainError(
                _("Each question needs its own short key (letters, digits, - and _)."),
                field="fields",
            )
        seen.add(key)
        kind = spec.get("kind") or Field.Kind.TEXT
        if kind not in Field.Kind.values:
            raise DomainError(_("Unknown field kind %(kind)s.") % {"kind": kind}, field="fields")
        choices = spec.get("choices") or []
        if isinstance(choices, str):
            choices = choices.splitlines()
        choices = [str(c).strip() for c in choices if str(c).strip()]
        if kind == Field.Kind.CHOICE and not choices:
            raise DomainError(
                _("The choice question “%(key)s” needs its choices.") % {"key": key},
                field="fields",
            )
        label = str(spec.get("label") or key).strip()
        if len(label) > Field._meta.get_field("label").max_length:
            raise DomainError(
                _("The question “%(key)s” is too long.") % {"key": key}, field="fields"
            )
        cleaned.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "choices": "\n".join(choices),
                "required": bool(spec.get("required", True)),
                "personal": bool(spec.get("personal", False)),
            }
        )
    return cleaned


def _form_write(campaign: Campaign, specs: list[dict[str, Any]]) -> None:
    campaign.fields.all().delete()
    # One save per question (at most MAX_FIELDS): each leaves its audit row, bulk_create would not.
    for position, spec in enumerate(specs):
        Field.objects.create(campaign=campaign, position=position, **spec)


def campaign_create(
    *,
    user: User,
    name: str,
    area_code: str,
    due_date: Any,
    fields: list[dict] | None = None,
    instructions: str = "",
) -> Campaign:
    """A draft campaign over an area of the user's scope; its form may come later (the
    back office adds questions after the campaign), launching needs one."""
    _require_editor(user)
    area = _area_for(user, area_code)
    due = _due_date(due_date)
    clean_name = _name(name)
    specs = field_specs_clean(fields or [])
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=clean_name,
            area=area,
            due_date=due,
            instructions=instructions or "",
            created_by=user,
        )
        _form_write(campaign, specs)
    return campaign


def campaign_update(
    *,
    user: User,
    campaign_id: int,
    name: str,
    area_code: str,
    due_date: Any,
    instructions: str = "",
) -> Campaign:
    """Rename, re-date or re-word a campaign of the user's scope; its area moves only while
    it is a draft (the tasks of a launched one belong to the area's households)."""
    _require_editor(user)
    campaign = _campaign_for(user, campaign_id)
    area = _area_for(user, area_code)
    if area.pk != campaign.area_id and campaign.status != Campaign.Status.DRAFT:
        raise Conflict(
            _("A launched campaign keeps its area."), code="not_allowed_now", field="area"
        )
    campaign.name = _name(name)
    campaign.area = area
    campaign.due_date = _due_date(due_date)
    campaign.instructions = instructions or ""
    campaign.save(update_fields=["name", "area", "due_date", "instructions"])
    return campaign


def campaign_form_set(*, user: User, campaign_id: int, fields: list[dict]) -> Campaign:
    """Replace a draft campaign's questions (once launched, answers refer to them)."""
    _require_editor(user)
    campaign = _campaign_for(user, campaign_id)
    specs = field_specs_clean(fields)
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(
            _("The questions of a launched campaign cannot change."),
            code="not_allowed_now",
            field="fields",
        )
    with transaction.atomic():
        _form_write(campaign, specs)
    return campaign


def campaign_delete(*, user: User, campaign_id: int) -> None:
    """Delete a draft campaign; a launched one is closed instead (its answers are records)."""
    _require_editor(user)
    campaign = _campaign_for(user, campaign_id)
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(_("A launched campaign is closed, not deleted."), code="not_allowed_now")
    campaign.delete()


def campaign_launch(*, user: User, campaign_id: int) -> int:
    """Open the campaign and make a task for every household under its area, each handed to
    a worker of the household's grid (in turn, when the grid has several). Run again after
    households are added: only the new ones get tasks. Returns the number of new tasks."""
    _require_editor(user)
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
        if campaign.status != Campaign.Status.OPEN:
            campaign.status = Campaign.Status.OPEN
            campaign.save(update_fields=["status"])  # audited (the tasks are bulk-created)
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
    _require_editor(user)
    campaign = _campaign_for(user, campaign_id)
    campaign.status = Campaign.Status.CLOSED
    campaign.save(update_fields=["status"])
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
        if number < 0:  # a canvass counts people, rooms, vehicles, amounts: never below zero
            raise DomainError(
                _("“%(label)s” cannot be negative.") % {"label": field.label}, field=field.key
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
    if field.kind == Field.Kind.ID_NUMBER:
        return id_number_clean(str(value), field=field.key)
    if field.kind == Field.Kind.PHONE:
        return phone_clean(str(value), field=field.key)
    if field.kind == Field.Kind.PHOTO:
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
    """Fill a task: only its worker (or, for a task nobody was handed, the grid staff of
    its area) — a colleague, the grid head or community staff do not fill another
    worker's household. The same client_uuid twice stores once and answers (task, False);
    a uuid someone else used is a 409 that shows nothing of their answers. A later
    submission with a new uuid corrects the answers."""
    client_uuid = client_uuid_clean(client_uuid)
    if client_uuid:
        existing = Task.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.pk != task_id or existing.done_by_id != user.pk:
                raise Conflict(
                    _("This submission id was used for another household."), code="duplicate"
                )
            return existing, False
    task = Task.objects.select_related("campaign", "area", "household").filter(pk=task_id).first()
    if task is None or not area_in_scope(user, task.area):
        raise NotFound(_("No such task."))
    if not (user.is_superuser or user.role in FILLING_ROLES):
        raise PermissionDenied(_("Only grid staff fill canvass forms."))
    if not (user.is_superuser or task.worker_id in (None, user.pk)):
        raise PermissionDenied(_("This household was handed to another worker."))
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
