"""Reads of campaigns: a worker's tasks, progress by grid, the results table."""

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.scope import scope_path
from gridgov.areas.codes import ancestor_paths
from gridgov.canvass.models import Campaign, Task


def campaigns_for(user: User):
    prefix = scope_path(user)
    if prefix is None:
        return Campaign.objects.none()
    queryset = Campaign.objects.select_related("area")
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
    rows = queryset.select_related("household", "household__building", "campaign").order_by(
        "campaign_id", "household__building_id", "household__room", "pk"
    )[:1000]
    return [
        {
            "id": t.pk,
            "campaign_id": t.campaign_id,
            "campaign": t.campaign.name,
            "household": t.household.number,
            "address": f"{t.household.building or ''} {t.household.room}".strip()
            or t.household.address,
            "status": t.status,
            "answers": t.answers,
        }
        for t in rows
    ]


def form_of(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "label": f.label,
            "kind": f.kind,
            "choices": f.choice_list,
            "required": f.required,
        }
        for f in campaign.fields.all()
    ]


def progress_by_grid(campaign: Campaign, user: User) -> list[dict[str, Any]]:
    prefix = scope_path(user) or ""
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


def results_rows(campaign: Campaign, user: User):
    """Header and rows for the Excel export, inside the user's scope."""
    prefix = scope_path(user) or ""
    fields = list(campaign.fields.all())
    header = [
        str(_("household")),
        str(_("grid")),
        str(_("worker")),
        str(_("status")),
        str(_("done at")),
    ] + [f.label for f in fields]
    yield header
    queryset = (
        Task.objects.filter(campaign=campaign, area__path__startswith=prefix)
        .select_related("household", "area", "done_by", "worker")
        .order_by("area__code", "household__number")
    )
    for t in queryset.iterator(chunk_size=2000):
        person = t.done_by or t.worker
        yield [
            t.household.number,
            t.area.code,
            (person.get_full_name() or person.username) if person else "",
            t.get_status_display(),
            t.done_at.strftime("%Y-%m-%d %H:%M") if t.done_at else "",
        ] + [_cell(t.answers.get(f.key)) for f in fields]


def _cell(value: Any) -> Any:
    return "" if value is None else value
