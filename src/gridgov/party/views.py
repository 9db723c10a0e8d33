"""Party pages: the organization tree, an organization (members, ranking, publications,
grading), a member, the household proposal, and the Party map."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, get_in_scope, scope_path
from gridgov.areas.selectors import area_scope_root, grid_level_under
from gridgov.common.errors import DomainError
from gridgov.party import selectors, services
from gridgov.party.grading import template_for
from gridgov.party.models import (
    Grading,
    Member,
    Organization,
    PointEntry,
    PointPublication,
    ServiceCenter,
)
from gridgov.registry.pii import mask_phone


def _forbidden(request: HttpRequest, message: str = "", status: int = 403) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": message}, status=status)


def _may_edit(request: HttpRequest) -> bool:
    return can(request.user, Capability.PARTY_EDIT)


def _may_read(request: HttpRequest) -> bool:
    """Party pages are for Party secretaries, area staff and leaders, inside an area: not for
    departments, service companies or residents (issue 8)."""
    return can(request.user, Capability.PARTY_VIEW) and scope_path(request.user) is not None


def _in_scope(request: HttpRequest, queryset, area_field: str = "area"):
    return get_in_scope(request.user, queryset, Capability.PARTY_VIEW, area_field=area_field)


def _year_and_quarter(request: HttpRequest) -> tuple[int, int]:
    """The quarter asked for (default: the current one); ValueError on anything else."""
    today = timezone.localdate()
    year = int(request.GET.get("year") or today.year)
    quarter = int(request.GET.get("quarter") or (today.month - 1) // 3 + 1)
    if not (2000 <= year <= today.year + 1 and 1 <= quarter <= 4):
        raise ValueError(year, quarter)
    return year, quarter


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    if not _may_read(request):
        return _forbidden(request)
    root = area_scope_root(request.user)
    prefix = scope_path(request.user) or ""
    organizations = list(
        _in_scope(request, Organization.objects.all())
        .select_related("area", "secretary")
        .annotate(n=Count("members", distinct=True))
        .order_by("area__path", "kind", "name")
    )
    children = defaultdict(list)
    ids = {o.pk for o in organizations}
    tops = []
    for org in organizations:
        if org.parent_id in ids:
            children[org.parent_id].append(org)
        else:
            tops.append(org)

    def walk(org, depth):
        yield org, depth
        for child in children.get(org.pk, []):
            yield from walk(child, depth + 1)

    rows = [row for top in tops for row in walk(top, 0)]
    # Members in each organization and the ones under it (a grid branch over compound branches).
    total = {}

    def count(org):
        total[org.pk] = org.n + sum(count(c) for c in children.get(org.pk, []))
        return total[org.pk]

    for top in tops:
        count(top)
    rows = [(org, depth, total[org.pk]) for org, depth in rows]
    report = selectors.party_report(root) if root else None
    from gridgov.party.grading import lagging

    level = "community" if root and root.kind in ("district", "street") else "grid"
    return render(
        request,
        "party/tree.html",
        {
            "rows": rows,
            "report": report,
            "root": root,
            "coverage": selectors.coverage_by_area(root, level) if root else [],
            "lagging": lagging(timezone.localdate().year - 1, prefix),
            "last_year": timezone.localdate().year - 1,
        },
    )


@login_required
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    org = (
        _in_scope(request, Organization.objects.all())
        .select_related("area", "parent", "secretary")
        .filter(pk=org_id)
        .first()
    )
    if org is None:
        return _forbidden(request, _("No such organization."), 404)
    try:
        year, quarter = _year_and_quarter(request)
    except ValueError:
        return _forbidden(request, _("Give a year (from 2000) and a quarter (1 to 4)."), status=400)
    if request.method == "POST" and request.POST.get("op") == "publish":
        try:
            services.publication_make(
                user=request.user, organization_id=org.pk, year=year, quarter=quarter
            )
            messages.success(request, _("Published."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{request.path}?year={year}&quarter={quarter}")
    members = (
        Member.objects.filter(organization=org)
        .annotate(n=Count("household_links", distinct=True))
        .order_by("name")
    )
    return render(
        request,
        "party/organization.html",
        {
            "org": org,
            "members": [(m, mask_phone(m.phone)) for m in members],
            "ranking": selectors.ranking(org, year, quarter),
            "year": year,
            "quarter": quarter,
            "publications": PointPublication.objects.filter(organization=org).order_by(
                "-year", "-quarter"
            ),
            "gradings": Grading.objects.filter(organization=org),
            "template": template_for(org, year)
            if org.kind in ("community_committee", "general_branch")
            else None,
            "may_edit": _may_edit(request),
            "children": org.children.all().order_by("name"),
            "compounds": org.compounds.all(),
        },
    )


@login_required
def publication(request: HttpRequest, pub_id: int) -> HttpResponse:
    pub = (
        _in_scope(request, PointPublication.objects.all(), area_field="organization__area")
        .select_related("organization__area")
        .filter(pk=pub_id)
        .first()
    )
    if pub is None:
        return _forbidden(request, _("No such publication."), 404)
    return render(request, "party/publication.html", {"pub": pub})


@login_required
def member(request: HttpRequest, member_id: int) -> HttpResponse:
    m = (
        _in_scope(request, Member.objects.all())
        .select_related("organization", "area", "work_unit", "household")
        .filter(pk=member_id)
        .first()
    )
    if m is None:
        return _forbidden(request, _("No such member."), 404)
    entries = PointEntry.objects.filter(member=m).select_related("rule").order_by("-date")[:50]
    approved = PointEntry.objects.filter(member=m, status="approved").aggregate(s=Sum("points"))[
        "s"
    ]
    hours = m.service_records.aggregate(h=Sum("hours"))["h"]
    central = m.central_households.select_related("host").first()
    return render(
        request,
        "party/member.html",
        {
            "m": m,
            "phone": mask_phone(m.phone),
            "links": m.household_links.select_related("household").order_by("household__number"),
            "central": central,
            "posts": m.posts.all(),
            "records": m.service_records.order_by("-date")[:20],
            "entries": entries,
            "points_total": approved or 0,
            "hours_total": hours or 0,
        },
    )


@login_required
def proposal(request: HttpRequest) -> HttpResponse:
    if not _may_read(request):
        return _forbidden(request)
    root = area_scope_root(request.user)
    code = request.GET.get("root") or (root.code if root else "")
    if request.method == "POST":
        try:
            done = services.proposal_apply(
                user=request.user, root_code=request.POST.get("root", "")
            )
            messages.success(
                request,
                _("Applied: %(links)s households linked, %(central)s central households.")
                % {"links": done["links"], "central": done["central_households"]},
            )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{request.path}?root={request.POST.get('root', '')}")
    try:
        plan = services.proposal_make(user=request.user, root_code=code)
    except DomainError as error:
        return _forbidden(request, error.message)
    reasons = defaultdict(int)
    for why in plan.uncovered.values():
        reasons[why] += 1
    return render(
        request,
        "party/proposal.html",
        {
            "code": code,
            "plan": plan,
            "reasons": dict(reasons),
            "members_linked": len(set(plan.links.values())),
            "under": len(plan.under_minimum),
            "groups": len(plan.groups),
        },
    )


@login_required
def party_map(request: HttpRequest) -> HttpResponse:
    if not _may_read(request):
        return _forbidden(request)
    from django.conf import settings

    root = area_scope_root(request.user)
    return render(
        request,
        "party/map.html",
        {
            "tile_url": settings.GRIDGOV_TILE_URL,
            "tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "root": root,
            "grid_level": grid_level_under(root),
        },
    )


@login_required
def party_map_data(request: HttpRequest) -> JsonResponse:
    if not _may_read(request):
        return JsonResponse({"organizations": [], "centers": []}, status=403)
    centers = [
        {
            "name": c.name,
            "kind": c.kind,
            "kind_name": str(c.get_kind_display()),
            "lon": c.lon,
            "lat": c.lat,
            "services": [s for s in c.services.splitlines() if s.strip()],
            "hours": c.hours,
        }
        for c in _in_scope(request, ServiceCenter.objects.all())
    ]
    organizations = []
    for org in (
        _in_scope(request, Organization.objects.all())
        .select_related("area")
        .prefetch_related("compounds")
        .annotate(n=Count("members"))
    ):
        compound = next(iter(org.compounds.all()), None)
        if compound is not None:
            lon, lat = compound.lon, compound.lat
        elif org.area.min_lon is not None:
            lon = (org.area.min_lon + org.area.max_lon) / 2
            lat = (org.area.min_lat + org.area.max_lat) / 2
        else:
            continue
        organizations.append(
            {
                "id": org.pk,
                "name": org.name,
                "kind": org.kind,
                "members": org.n,
                "lon": lon,
                "lat": lat,
            }
        )
    return JsonResponse({"organizations": organizations, "centers": centers})


@login_required
def report_back(request: HttpRequest, unit_id: int) -> HttpResponse:
    """双报告: a printable report to a work unit on its in-service members, per half-year."""
    from gridgov.registry.models import Unit

    unit = _in_scope(request, Unit.objects.all()).select_related("area").filter(pk=unit_id).first()
    if unit is None:
        return _forbidden(request, _("No such unit."), 404)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        half = int(request.GET.get("half") or (1 if today.month <= 6 else 2))
        if half not in (1, 2) or not 2000 <= year <= today.year + 1:
            raise ValueError
        start = date(year, 1 if half == 1 else 7, 1)
    except ValueError:
        return _forbidden(request, _("Give a year and a half (1 or 2)."), 400)
    end = date(year, 7, 1) if half == 1 else date(year + 1, 1, 1)
    context = selectors.report_back(unit, start, end) | {"year": year, "half": half}
    return render(request, "party/report_back.html", context)
