"""Reads of campaigns: a worker's tasks, progress by grid, the results table.

Progress and results (answers about the area's households) are read by the roles that
run campaigns (CAMPAIGNS_EDIT) in their area; the campaigns themselves also by the grid
staff who fill their forms. Everyone else (operators, Party secretaries, department
handlers, service companies, residents) reads none — authorization_matrix.csv. Answers to personal questions (`Field.is_personal`) are masked unless the
reader has PII_VIEW and asked to reveal them, and each unmasked read is recorded
(decision 0004).
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import can, scope_path
from gridgov.accounts.services import pii_access_record
from gridgov.areas.codes import ancestor_paths
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.common.errors import PermissionDenied
from gridgov.registry.naming import household_address, household_title
from gridgov.registry.pii import mask_id_number, mask_phone, mask_text

READ_CAPABILITY = Capability.CAMPAIGNS_EDIT
# Those who visit households and fill the forms (services.task_submit checks the same).
FILLING_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.AREA_STAFF})
AUDIT_MODEL = "canvass.task"
_MASKERS = {Field.Kind.ID_NUMBER: mask_id_number, Field.Kind.PHONE: mask_phone}


def answer_masked(field: Field, value: Any) -> Any:
    """A personal answer as a reader without the right sees it."""
    if value in (None, ""):
        return value
    return _MASKERS.get(field.kind, mask_text)(str(value))


def answers_shown(fields: list[Field], answers: dict[str, Any], *, reveal: bool) -> dict:
    """The answers with the personal ones masked unless `reveal` (the caller checked the
    right and records the read)."""
    if reveal:
        return dict(answers)
    personal = {f.key: f for f in fields if f.is_personal}
    return {
        key: answer_masked(personal[key], value) if key in personal else value
        for key, value in answers.items()
    }


def reveal_allowed(user: User, reveal: bool) -> bool:
    """True when the read is unmasked; a request to reveal without the right is refused."""
    if reveal and not can(user, Capability.PII_VIEW):
        raise PermissionDenied(_("Your role may not see personal data unmasked."))
    return reveal


def campaigns_for(user: User):
    prefix = scope_path(user)
    if prefix is None or not (can(user, READ_CAPABILITY) or user.role in FILLING_ROLES):
        return Campaign.objects.none()
    queryset = Campaign.objects.select_related("area")
    if not can(user, READ_CAPABILITY):
        # Grid staff see the campaigns they fill, not drafts still being written.
        queryset = queryset.exclude(status=Campaign.Status.DRAFT)
    if not prefix:
        return queryset
    # Campaigns over the user's area or inside it, and those above it that reach into it.
    return queryset.filter(
        Q(area__path__startswith=prefix) | Q(area__path__in=ancestor_paths(prefix))
    )


def my_tasks(user: User, *, campaign_id: int | None = None, status: str = "todo") -> list[dict]:
    queryset = Task.objects.filter(worker=user, campaign__status=Campaign.Status.OPEN)
    if campaign_id:
        queryset = queryset.filter(campaign_id=campaign_id)
    if status:
        queryset = queryset.filter(status=status)
    rows = list(
        queryset.select_related(
            "household", "household__building", "household__head", "campaign"
        ).order_by("campaign_id", "household__building_id", "household__room", "pk")[:1000]
    )
    forms = _forms_of({t.campaign_id for t in rows})
    # Cards are titled by address and head (issue 12), never by the household number; the
    # address is personal data, masked for a role that reads it masked.
    masked = not can(user, Capability.PII_VIEW)
    # The phone app never needs the stored answers back: personal ones go out masked.
    return [
        {
            "id": t.pk,
            "campaign_id": t.campaign_id,
            "campaign": t.campaign.name,
            "household": household_title(t.household, masked=masked),
            "address": household_address(t.household, masked=masked),
            "status": t.status,
            "answers": answers_shown(forms[t.campaign_id], t.answers, reveal=False),
        }
        for t in rows
    ]


def _forms_of(campaign_ids: set[int]) -> dict[int, list[Field]]:
    forms: dict[int, list[Field]] = {pk: [] for pk in campaign_ids}
    for field in Field.objects.filter(campaign_id__in=campaign_ids):
        forms[field.campaign_id].append(field)
    return forms


def form_of(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "label": f.label,
            "kind": f.kind,
            "choices": f.choice_list,
            "required": f.required,
            "personal": f.is_personal,
        }
        for f in campaign.fields.all()
    ]


def progress_by_grid(campaign: Campaign, user: User) -> list[dict[str, Any]]:
    prefix = _reader_prefix(user)
    rows = (
        Task.objects.filter(campaign=campaign, area__path__startswith=prefix)
        .values("area__code", "area__name")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status=Task.Status.DONE)))
        .order_by("area__code")
    )
    return [
        {
            "grid": r["area__code"],
            "name": r["area__name"],
            "total": r["total"],
            "done": r["done"],
            "share": round(r["done"] / r["total"], 4) if r["total"] else None,
        }
        for r in rows
    ]


def _reader_prefix(user: User) -> str:
    prefix = scope_path(user)
    if prefix is None or not can(user, READ_CAPABILITY):
        raise PermissionDenied()
    return prefix


def results_rows(
    campaign: Campaign,
    user: User,
    *,
    reveal: bool = False,
    channel: str = "export",
    ip: str | None = None,
) -> Iterator[list[Any]]:
    """Header and rows for the Excel export, inside the user's scope; personal answers
    masked unless revealed, and an unmasked export recorded before its first row."""
    prefix = _reader_prefix(user)
    reveal = reveal_allowed(user, reveal)
    fields = list(campaign.fields.all())
    queryset = (
        Task.objects.filter(campaign=campaign, area__path__startswith=prefix)
        .select_related("household", "area", "done_by", "worker")
        .order_by("area__code", "household__number")
    )
    personal = [f.key for f in fields if f.is_personal]
    if reveal and personal:
        pii_access_record(
            user=user,
            model=AUDIT_MODEL,
            object_ids=queryset.filter(status=Task.Status.DONE).values_list("pk", flat=True),
            fields=personal,
            channel=channel,
            ip=ip,
        )
    return _results_rows(fields, queryset, reveal)


def _results_rows(fields: list[Field], queryset, reveal: bool) -> Iterator[list[Any]]:
    yield [
        str(_("household")),
        str(_("grid")),
        str(_("worker")),
        str(_("status")),
        str(_("done at")),
    ] + [f.label for f in fields]
    for t in queryset.iterator(chunk_size=2000):
        person = t.done_by or t.worker
        answers = answers_shown(fields, t.answers, reveal=reveal)
        yield [
            t.household.number,
            t.area.code,
            (person.get_full_name() or person.username) if person else "",
            t.get_status_display(),
            t.done_at.strftime("%Y-%m-%d %H:%M") if t.done_at else "",
        ] + [_cell(answers.get(f.key)) for f in fields]


def _cell(value: Any) -> Any:
    return "" if value is None else value
