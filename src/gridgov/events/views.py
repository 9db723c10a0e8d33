"""Pages of the event flow: the queue (operators, department inbox, worker tasks), the event
page with the actions allowed now, and the resident's report-and-follow page. Thin: they
parse, call one service or selector, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import can, lives_as_resident
from gridgov.analytics.selectors import rates_report
from gridgov.areas.codes import ancestor_paths
from gridgov.areas.models import Department
from gridgov.common.errors import DomainError
from gridgov.common.ids import form_id, form_ids
from gridgov.events import keyset, queue_cache, selectors, services, triage, whistle_chain
from gridgov.events.catalog_cache import catalog
from gridgov.events.dispatching import dispatch_panel, search_widget
from gridgov.events.models import Satisfaction, Source, Subclass, Summons, Urgency
from gridgov.events.photos import MAX_BYTES, Photo
from gridgov.events.services import whistles
from gridgov.events.workflow import Action, State


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    # The queue is a work list: for the area's staff and departments' handlers. Residents
    # follow their reports on their own front end (/r/mine/); other roles have no queue.
    if lives_as_resident(request.user):
        return redirect("residents:mine")
    if not (can(request.user, Capability.EVENTS_VIEW) or request.user.department_id):
        return render(request, "web/forbidden.html", status=403)
    filters = {
        key: request.GET.get(key) or None
        for key in ("state", "subclass", "source", "urgency", "area", "warned", "since", "until")
    }
    for flag in ("overdue", "mine", "supervised", "urgent"):
        filters[flag] = request.GET.get(flag) == "1"
    try:
        page = keyset.events_queue_page(
            user=request.user,
            filters=filters,
            after=request.GET.get("after") or None,
            limit=30,
            sort=request.GET.get("sort") or None,
        )
    except DomainError as error:
        # A stale or hand-edited link: say what is wrong and offer the queue's first page
        # (with the filters kept when only the cursor was bad).
        first = _without_page(request) if error.field == "cursor" else ""
        return render(
            request,
            "events/queue_invalid.html",
            {"message": error.message, "first_page_query": first},
            status=400,
        )
    return render(
        request,
        "events/queue.html",
        {
            "rows": selectors.page_as_dicts(page.events, request.user),
            "page": page,
            "first_page": not request.GET.get("after"),
            "filters": filters,
            "sorts": QUEUE_SORTS,
            "summary": _summary(request.user),
            "states": State.choices,
            "sources": Source.choices,
            "urgencies": Urgency.choices,
            # The process's catalog (catalog_cache): no query for the filter's options.
            "subclasses": sorted(catalog().subclasses.values(), key=lambda s: s.code),
            "base_query": _without_page(request),
        },
    )


QUEUE_SORTS = [
    ("new", _lazy("Newest first")),
    ("deadline", _lazy("Deadline soonest first")),
    ("urgency", _lazy("Most urgent first")),
]


def _summary(user) -> dict:
    """The rates above the queue, from the daily rollups: never a read of the whole history;
    kept a few seconds per user (queue_cache: they were most of the page's time at 1M)."""
    return queue_cache.kept(
        "summary", queue_cache.user_key(user), lambda: rates_report(user=user)["all"]
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


ACTION_FIELDS = {
    Action.DISPATCH: ("department",),
    Action.FEEDBACK: ("photos",),
    Action.SOLVE_ON_SPOT: ("photos",),
    Action.EVALUATE: ("satisfaction",),
    Action.EVALUATE_CALLBACK: ("satisfaction",),
    Action.REQUEST_EXTENSION: ("extra_hours",),
}


@login_required
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = services.event_for_user(user=request.user, event_id=event_id)
    except DomainError as error:
        return render(request, "web/forbidden.html", {"message": error.message}, status=404)
    if lives_as_resident(request.user):
        # A resident's view of their report is the resident front end's: the public timeline,
        # without grid codes, staff names and internal notes (issue 11).
        return redirect("residents:report_detail", number=event.number)
    if request.method == "POST" and request.POST.get("op") in WHISTLE_OPS:
        try:
            WHISTLE_OPS[request.POST["op"]](request, event)
            messages.success(request, _("Done."))
        except (DomainError, ValueError) as error:
            messages.error(request, getattr(error, "message", str(error)))
        return redirect("event_page", event_id=event.pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = request.POST.get("version")
        try:
            data = {
                "department_id": form_id(request.POST.get("department_id"), field="department_id"),
                "assignee_ids": form_ids(
                    request.POST.getlist("assignee_ids"), field="assignee_ids"
                ),
                "satisfaction": request.POST.get("satisfaction") or None,
                "extra_hours": request.POST.get("extra_hours") or None,
            }
            services.event_act(
                user=request.user,
                event_id=event.pk,
                action=action,
                comment=request.POST.get("comment", ""),
                data=data,
                photo_files=_photo_files(request),
                version=_triage_before_accept(request, event, form_id(version, field="version")),
            )
            messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
        except (DomainError, ValueError) as error:
            messages.error(request, getattr(error, "message", str(error)))
        return redirect("event_page", event_id=event.pk)
    detail = selectors.event_as_dict(event, request.user, with_timeline=True)
    actions = [(a, Action(a).label, ACTION_FIELDS.get(a, ())) for a in detail["actions"]]
    # Each part of the page gathers its own context (the panels are separate templates).
    return render(
        request,
        "events/event.html",
        {
            "event": event,
            "detail": detail,
            "actions": actions,
            "satisfactions": Satisfaction.choices,
            "photos": event.photos.all(),
            **_dispatch_context(request.user, event, detail),
            **_triage_context(request.user, event, detail),
            **_whistle_context(request.user, event, detail),
        },
    )


def _dispatch_context(user, event, detail: dict) -> dict:
    """The dispatch choice and panel (events/_dispatch_choice.html, _dispatch_panel.html)."""
    # The routing candidates first, then every department above the grid (read once each:
    # asking for the candidates per department was a query per department).
    candidates = list(services.routing_candidates(event))
    departments = candidates + [
        d
        for d in Department.objects.filter(area__path__in=ancestor_paths(event.area.path)).order_by(
            "area__depth", "name"
        )
        if d not in candidates
    ]
    # Staff names and phones: for those who dispatch in the area, never for the reporter.
    panel = (
        dispatch_panel(user=user, event=event)
        if can(user, Capability.POSITIONS_VIEW)
        and selectors.handles(user, event)
        and (Action.DISPATCH in detail["actions"] or event.assignments.exists())
        else None
    )
    # The name search beyond 2 km goes with the panel: the same people may use it.
    search = search_widget(event) if panel is not None else {}
    return {"panel": panel, "departments": departments, **search}


def _triage_context(user, event, detail: dict) -> dict:
    """Filing (立案) at the desk (events/_triage.html): subclass and urgency to change, the
    classifier's three suggestions with their words, the ready answers (decision 0024)."""
    if Action.ACCEPT not in detail["actions"] or triage.may_triage(user, event) is not None:
        return {"triage": None}
    return {
        "triage": {
            "groups": triage.subclass_groups(),
            "urgencies": Urgency.choices,
            "suggestions": triage.suggestions(event),
            "templates": triage.response_templates(),
        }
    }


def _triage_before_accept(request: HttpRequest, event, version: int | None) -> int | None:
    """The accept form's triage fields, applied before the filing itself; the version the
    accept then compares against (one more when triage wrote)."""
    if request.POST.get("action") != Action.ACCEPT or "triage_subclass" not in request.POST:
        return version
    triaged = triage.event_triage(
        user=request.user,
        event_id=event.pk,
        subclass_id=form_id(request.POST.get("triage_subclass"), field="triage_subclass"),
        urgency=request.POST.get("triage_urgency") or None,
        version=version,
        public_reply=request.POST.get("public_reply", ""),
        internal_note="",
    )
    return triaged.version


def _whistle_context(user, event, detail: dict) -> dict:
    """Whistle and report (events/_whistle_forms.html, _whistle_chain.html)."""
    whistle_level, whistle_departments = whistle_choices(user, event)
    my_summonses = (
        list(
            Summons.objects.filter(
                whistle__event=event,
                department_id=user.department_id,
                reported_at__isnull=True,
            )
        )
        if user.department_id
        else []
    )
    # The timed chain for those who see the handling (the same rule as the timeline's).
    chain = whistle_chain.whistle_chain(event, user) if detail.get("whistles") else []
    return {
        "whistle_level": whistle_level,
        "whistle_departments": whistle_departments,
        "my_summonses": my_summonses,
        "whistle_chain": chain,
        "summons_ratings": Summons.Rating.choices,
    }


def _whistle(request: HttpRequest, event) -> None:
    ids = form_ids(request.POST.getlist("department_ids"), field="department_ids")
    whistles.whistle_blow(
        user=request.user,
        event_id=event.pk,
        level=request.POST.get("level", ""),
        department_ids=ids,
        reason=request.POST.get("reason", ""),
    )


def _summons_id(request: HttpRequest) -> int:
    return form_id(request.POST.get("summons_id"), field="summons_id") or 0


def _check_in(request: HttpRequest, event) -> None:
    whistles.summons_check_in(user=request.user, summons_id=_summons_id(request))


def _act(request: HttpRequest, event) -> None:
    whistles.summons_act(
        user=request.user, summons_id=_summons_id(request), note=request.POST.get("note", "")
    )


def _report_back(request: HttpRequest, event) -> None:
    whistles.summons_report(
        user=request.user, summons_id=_summons_id(request), report=request.POST.get("report", "")
    )


def _rate(request: HttpRequest, event) -> None:
    whistles.summons_rate(
        user=request.user,
        summons_id=_summons_id(request),
        rating=request.POST.get("rating", ""),
        note=request.POST.get("note", ""),
    )


WHISTLE_OPS = {
    "whistle": _whistle,
    "check_in": _check_in,
    "act": _act,
    "report_back": _report_back,
    "rate": _rate,
}


def whistle_choices(user, event) -> tuple[str | None, list[Department]]:
    """The level this user may whistle at, and the departments it may summon for the event."""
    level = whistles.whistle_level_of(user)
    if level is None or event.state in whistles.TERMINAL or event.state == State.REPORTED:
        return None, []
    return level, list(whistles.summonable_departments(event, level))


def _photo_files(request: HttpRequest) -> list[tuple[str, bytes]]:
    """The photos of a form, read (bounded) but not stored: the service stores them only once
    the report or action is valid, so a refused one leaves no orphan files."""
    return [(f.name, f.read(MAX_BYTES + 1)) for f in request.FILES.getlist("photos")]


@login_required
def photo_file(request: HttpRequest, key: str) -> HttpResponse:
    """A photo, to those who may see its event (or who uploaded it)."""
    photo = Photo.objects.filter(key=key).select_related("event__area").first()
    if photo is None or not (
        (photo.event and selectors.event_visible_to(request.user, photo.event))
        or (photo.event is None and photo.uploaded_by_id == request.user.pk)
    ):
        raise Http404
    try:
        content = photo.image.open("rb")
    except (FileNotFoundError, ValueError):
        # The row outlived its file (a restore, a purge on shared storage): not a 500.
        raise Http404 from None
    return FileResponse(content, content_type="image/jpeg")


def report_page(request: HttpRequest) -> HttpResponse:
    """The desk's report form: the center's operators take hotline calls here, field staff
    report what they find. Residents and visitors report on the resident front end (a map,
    no typed coordinates), where a scanned place code's prefill goes too."""
    if not request.user.is_authenticated or lives_as_resident(request.user):
        query = request.GET.urlencode()
        return redirect(reverse("residents:report") + (f"?{query}" if query else ""))
    created = None
    if request.method == "POST":
        data = {
            key: request.POST.get(key, "")
            for key in (
                "subclass",
                "description",
                "lon",
                "lat",
                "address",
                "reporter_name",
                "reporter_phone",
                "client_uuid",
            )
        }
        user = request.user if request.user.is_authenticated else None
        try:
            created = services.event_report(
                user=user,
                data=data,
                source=_source_of(user),
                photo_files=_photo_files(request),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return render(request, "events/report.html", _report_context(request, data), status=400)
    return render(
        request,
        "events/report.html",
        _report_context(request, _prefill(request)) | {"created": created},
    )


def _prefill(request: HttpRequest) -> dict:
    """A scanned place code (码上报) opens the report page with the place filled in."""
    return {key: request.GET.get(key, "") for key in ("lon", "lat", "address")}


def _source_of(user) -> str:
    """Residents report for themselves; the center's operators take hotline calls (reporter's
    name and phone in the form); everyone else on staff reports from the field."""
    if user is None or user.role == Role.RESIDENT:
        return Source.RESIDENT
    if user.role in (Role.OPERATOR, Role.SHIFT_LEADER):
        return Source.HOTLINE
    return Source.WORKER


def _report_context(request: HttpRequest, values: dict) -> dict:
    mine = []
    if request.user.is_authenticated and request.user.role == Role.RESIDENT:
        # Branch by branch (keyset): an OR over the whole table finds a resident's few
        # reports only by walking all of it.
        page = keyset.events_queue_page(user=request.user, filters={}, limit=20)
        mine = selectors.page_as_dicts(page.events, request.user)
    return {
        "subclasses": Subclass.objects.filter(active=True).order_by("code"),
        "values": values,
        "mine": mine,
    }
