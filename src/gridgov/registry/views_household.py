"""The household page (issue 12): its title by address and head, its people, what is around
it on a map, its history, care's panels, and the forms that record a change through
`registry.changes.household_change_record` (the one write path, also the API's and the
phone's). A form carries a client UUID made when the page was drawn: pressing "save" twice,
or resending after a lost answer, stores the change once."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError
from gridgov.registry import extensions, selectors_homes
from gridgov.registry.changes import household_change_record
from gridgov.registry.models import HouseholdChange, Resident
from gridgov.registry.search import homes_search
from gridgov.registry.selectors_changes import household_history
from gridgov.registry.views import HOUSEHOLD_URL, map_places, map_settings, may_read, refuse

Kind = HouseholdChange.Kind
# The forms on the page: which kinds each records, and which fields it sends.
PERSON_KINDS = {Kind.REGISTERED, Kind.BORN, Kind.MOVED_IN}
MEMBER_KINDS = {Kind.MOVED_OUT, Kind.DIED, Kind.HEAD, Kind.CORRECTED}
OCCUPANCY_KINDS = {Kind.RENTED, Kind.VACANT, Kind.OWNER}
FORM_KINDS = PERSON_KINDS | MEMBER_KINDS | OCCUPANCY_KINDS
PERSON_FIELDS = ("name", "id_number", "phone", "relation", "residence")
# A correction sends only the fields filled in: an empty field keeps what is recorded.
CORRECTED_FIELDS = ("name", "phone", "relation", "residence")
# "Moved in from a household here": who the search offers (living people of other households).
MOVERS_SHOWN = 10
MOVERS_SEARCHED = 100


def _date(raw: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            _("Give the date as year-month-day, e.g. 2026-03-01."), field="happened_on"
        ) from None


def _int(raw: str, field: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise DomainError(_("Choose a person from the list."), field=field)
    return int(raw)


CHANGE_FORMS = ("moved_out", "person", "mover", "member", "occupancy", "corrected")


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID((raw or "").strip())
    except ValueError:
        return None


def change_arguments(post) -> dict:
    """The service's keyword arguments from a submitted form; DomainError on bad input."""
    kind = post.get("kind", "")
    if kind not in FORM_KINDS:
        raise DomainError(_("Choose what changed."), field="kind")
    arguments: dict = {
        "kind": kind,
        "happened_on": _date(post.get("happened_on", "")),
        "note": post.get("note", "").strip()[:300],
        "client_uuid": _uuid(post.get("client_uuid", "")),
    }
    # A move-in names a resident of another household here, or a new person from elsewhere.
    from_here = kind == Kind.MOVED_IN and "resident_id" in post
    if kind in MEMBER_KINDS or from_here:
        resident_id = _int(post.get("resident_id", ""), "resident_id")
        if resident_id is None:
            raise DomainError(_("Choose a person from the list."), field="resident_id")
        arguments["resident_id"] = resident_id
    if kind in PERSON_KINDS:
        person = _person(post, PERSON_FIELDS)
        if person or not from_here:  # a resident and a new person at once: the service says no
            arguments["person"] = person
    if kind == Kind.CORRECTED:
        arguments["person"] = _person(post, CORRECTED_FIELDS)
        if not arguments["person"]:
            raise DomainError(_("Fill in what is to be corrected."), field="person")
    if kind == Kind.MOVED_OUT or (kind == Kind.MOVED_IN and not from_here):
        arguments["other_place"] = post.get("other_place", "").strip()[:200]
    return arguments


def _person(post, fields: tuple[str, ...]) -> dict:
    """The person's fields filled in; too long ones go to the service whole (it says so)."""
    return {name: post.get(name, "").strip()[:200] for name in fields if post.get(name, "").strip()}


def open_form(post, kind: str) -> str:
    """Which of the page's forms a failed submission came from (it opens again)."""
    if kind == Kind.MOVED_IN and "resident_id" in post:
        return "mover"
    return kind


def movers_find(request: HttpRequest, household, q: str) -> tuple[list[dict], str]:
    """People living in other households of the user's area whose name (or phone tail,
    per the search's masks) matches `q`: who may move in here. (hits, error message)."""
    try:
        found = homes_search(
            user=request.user,
            q=q,
            status=Resident.Status.LIVING,
            limit=MOVERS_SEARCHED,
            ip=client_address(request),
        )
    except DomainError as error:
        return [], error.message
    hits = [
        item
        for item in found["items"]
        if item["type"] == "person" and item["household_id"] != household.pk
    ]
    return hits[:MOVERS_SHOWN], ""


def _page(request: HttpRequest, household, *, error: str = "", status: int = 200):
    user = request.user
    ip = client_address(request)
    data = selectors_homes.household_as_dict(user=user, household=household, ip=ip)
    around = selectors_homes.household_neighbours(user=user, household=household, ip=ip)
    places = map_places(data, data["title"], around, HOUSEHOLD_URL)
    living = [m for m in data["members"] if m["status"] == Resident.Status.LIVING]
    posted = request.POST if request.method == "POST" else {}
    may_edit = can(user, Capability.REGISTRY_EDIT)
    mover_q = request.GET.get("mover", "").strip()[:100] if may_edit else ""
    movers, mover_error = movers_find(request, household, mover_q) if mover_q else ([], "")
    opened = open_form(posted, posted.get("kind", "")) if error else ""
    return render(
        request,
        "registry/household.html",
        {
            "household": data,
            "around": around,
            "places": places,
            "living": living,
            # A reader of personal data sees where people went, as the address above: recorded.
            "history": household_history(
                user=user,
                household_id=household.pk,
                reveal=selectors_homes.reads_pii(user),
                channel="page",
                ip=ip,
            ),
            "panels": extensions.panels_render("household", request, household),
            "may_edit": may_edit,
            # One per form: after one change is saved, another form of the same page (or the
            # page come back to) is a new change, not a resend of the first.
            "client_uuids": {form: uuid.uuid4() for form in CHANGE_FORMS},
            "today": timezone.localdate().isoformat(),
            "error": error,
            "open_kind": opened or ("mover" if mover_q else ""),
            "mover_q": mover_q,
            "movers": movers,
            "mover_error": mover_error,
            "posted": posted if error else {},
            "residence_choices": Resident.Residence.choices,
            **map_settings(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household(request: HttpRequest, household_id: int) -> HttpResponse:
    if not may_read(request):
        return refuse(request)
    try:
        found = selectors_homes.household_get(user=request.user, household_id=household_id)
    except DomainError as error:
        return refuse(request, error.message, error.status)
    if request.method == "GET":
        return _page(request, found)
    if not can(request.user, Capability.REGISTRY_EDIT):
        return refuse(request, _("Your role may not change the registry."))
    try:
        change, created = household_change_record(
            user=request.user, household_id=found.pk, **change_arguments(request.POST)
        )
    except DomainError as error:
        if error.status in (403, 404):
            return refuse(request, error.message, error.status)
        return _page(request, found, error=error.message, status=error.status)
    if created:
        messages.success(
            request, _("Recorded: %(change)s.") % {"change": change.get_kind_display()}
        )
    else:
        messages.info(request, _("This change was already recorded."))
    return redirect("registry:household", household_id=found.pk)
