"""The care pages under /care/: the overview per area (groups with members and overdue
visits, who needs a visit), a group's members with overdue warnings and a grid filter, and
the form posts of the panels on the registry's pages. Thin: reads are care.selectors,
writes care.services and care.visits; a refused or bad write goes back with its message."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, get_in_scope
from gridgov.areas.models import Area
from gridgov.care import selectors, services, visits
from gridgov.care.access import tag_visible
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError

# A group's page lists this many members at a time, overdue first.
GROUP_PAGE = 50
MAX_OFFSET = 10_000


def _refuse(request: HttpRequest, message: str = "", status: int = 403) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=status)


def _grids(request: HttpRequest) -> list[Area]:
    grids = get_in_scope(
        request.user, Area.objects.filter(kind="grid"), Capability.REGISTRY_VIEW, area_field=""
    )
    return list(grids.order_by("code")[:500])


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.REGISTRY_VIEW):
        return _refuse(request)
    grid = request.GET.get("grid", "").strip()[:18] or None
    try:
        groups = selectors.overview(request.user, area=grid)
        due = selectors.due_list(
            request.user, grid=grid, limit=50, channel="page", ip=client_address(request)
        )
    except DomainError as error:
        return _refuse(request, error.message, error.status)
    context = {"groups": groups, "due": due, "grid": grid or "", "grids": _grids(request)}
    return render(request, "care/overview.html", context)


def _offset(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), MAX_OFFSET))
    except ValueError:
        return 0


@login_required
@require_GET
def group(request: HttpRequest, key: str) -> HttpResponse:
    """One group's members in the area (or a grid of it), a page at a time, overdue first;
    the counts are the whole group's."""
    if not can(request.user, Capability.REGISTRY_VIEW):
        return _refuse(request)
    grid = request.GET.get("grid", "").strip()[:18] or None
    offset = _offset(request.GET.get("offset"))
    try:
        tag = tag_visible(request.user, key)
        counts = next(g for g in selectors.overview(request.user, area=grid) if g["key"] == tag.key)
        members = selectors.group_members(
            request.user,
            tag=tag,
            grid=grid,
            limit=GROUP_PAGE,
            offset=offset,
            channel="page",
            ip=client_address(request),
        )
    except DomainError as error:
        return _refuse(request, error.message, error.status)
    total = counts["members"]
    context = {
        "tag": tag,
        "members": members,
        "total": total,
        "overdue": counts["overdue"],
        "first": offset + 1,
        "last": offset + len(members),
        "previous": max(0, offset - GROUP_PAGE) if offset else None,
        "next": offset + GROUP_PAGE if offset + GROUP_PAGE < total else None,
        "grid": grid or "",
        "grids": _grids(request),
    }
    return render(request, "care/group.html", context)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


def _write(request: HttpRequest, fallback: str, action, done: str) -> HttpResponse:
    """Run a service; its refusal as a message on the page we came back to. A refusal of
    scope or capability answers its status, so nothing is learnt by being redirected."""
    try:
        action()
    except DomainError as error:
        if error.status in (403, 404):
            return _refuse(request, error.message, error.status)
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(request, fallback)


def _person_url(resident_id: int) -> str:
    return f"/registry/people/{resident_id}/"


@login_required
@require_POST
def tag_add(request: HttpRequest, resident_id: int) -> HttpResponse:
    details = {
        key[2:]: value
        for key, value in request.POST.items()
        if key.startswith("d_") and value.strip()
    }

    def action():
        services.resident_tag_add(
            user=request.user,
            resident_id=resident_id,
            tag=request.POST.get("tag", ""),
            details=details,
            since=_day(request.POST.get("since")),
        )

    return _write(request, _person_url(resident_id), action, _("Added to the group."))


def _day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("A date is YYYY-MM-DD.")) from None


@login_required
@require_POST
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    def action():
        services.resident_tag_end(
            user=request.user,
            membership_id=membership_id,
            reason=request.POST.get("reason", ""),
            ended_on=_day(request.POST.get("ended_on")),
        )

    return _write(request, "/care/", action, _("The membership has ended."))


@login_required
@require_POST
def membership_review(request: HttpRequest, membership_id: int) -> HttpResponse:
    def action():
        services.resident_tag_review(user=request.user, membership_id=membership_id)

    return _write(request, "/care/", action, _("Reviewed."))


@login_required
@require_POST
def visit_record(request: HttpRequest, resident_id: int) -> HttpResponse:
    def action():
        visits.visit_record(
            user=request.user,
            resident_id=resident_id,
            outcome=request.POST.get("outcome", ""),
            tag=request.POST.get("tag") or None,
            note=request.POST.get("note", "")[:2001],
            client_uuid=request.POST.get("client_uuid") or None,
        )

    return _write(request, _person_url(resident_id), action, _("The visit is recorded."))


@login_required
@require_POST
def visit_event(request: HttpRequest, visit_id: int) -> HttpResponse:
    def action():
        visits.visit_event_create(user=request.user, visit_id=visit_id)

    return _write(request, "/care/", action, _("The need is now an event."))
