"""The resident's view of a report (issue 11): what they said, where it stands in words a
resident reads, what they may do now, and a public timeline — the public steps and the
public replies only: no staff usernames, no internal notes, no grid codes.

Who sees it: the reporter (the account that reported it, or the phone's account that
follows it as its reporter), its followers, and whoever gives its number with the phone
given with it. Everyone else gets the same 404, whatever was wrong.
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.models import User
from gridgov.common.errors import NotFound
from gridgov.common.twofactor import is_staff_member
from gridgov.events.models import Event, Satisfaction, TimelineEntry
from gridgov.events.workflow import State
from gridgov.open311.publication import public_description, public_point
from gridgov.residents import rules
from gridgov.residents.identity import mobile_or_none, phone_normalized
from gridgov.residents.models import Follow, PublicView
from gridgov.residents.reasons import reason_public
from gridgov.residents.views_photos import report_photo_url

LIST_LIMIT = 50

# In the resident's words (a context of their own: the staff's "Accepted" is another).
STEP_LABELS = {
    "received": pgettext_lazy("resident timeline", "Report received"),
    rules.FILED: pgettext_lazy("resident timeline", "Accepted"),
    rules.REFUSED: pgettext_lazy("resident timeline", "Not accepted"),
    rules.DISPATCHED: pgettext_lazy("resident timeline", "Passed on to be handled"),
    rules.HANDLED: pgettext_lazy("resident timeline", "Handled"),
    rules.CLOSED: pgettext_lazy("resident timeline", "Closed"),
    rules.REOPENED: pgettext_lazy("resident timeline", "Reopened"),
    "reply": pgettext_lazy("resident timeline", "Reply"),
    "rated": pgettext_lazy("resident timeline", "Rated"),
    "added": pgettext_lazy("resident timeline", "Added by a resident"),
}
# Rows a resident wrote themselves, marked public by who wrote them (residents/actions.py).
RESIDENT_ROWS = {"resident_addition": "added"}


def _not_found() -> NotFound:
    return NotFound(_("No report with this number and phone."))


def _refusal_text(entry: TimelineEntry) -> str:
    if entry.action == "merge" and entry.data.get("duplicate_of"):
        return _("The same problem was already reported as %(number)s; it is handled there.") % {
            "number": entry.data["duplicate_of"]
        }
    # Scrubbed of phone and ID numbers and staff usernames, for the reporter as for anyone.
    return reason_public(entry.comment, entry.event)


def timeline_public(entries: list[TimelineEntry]) -> list[dict[str, Any]]:
    """The public rows of a timeline: {at, label, text}. Nothing of a row is read but its
    time, its action and states, a public reply and, for a refusal, its reason."""
    rows: list[dict[str, Any]] = []
    for entry in entries:
        if entry.action == "report" and not entry.from_state:
            rows.append({"at": entry.at, "label": str(STEP_LABELS["received"]), "text": ""})
            continue
        step = rules.public_step(entry.action, entry.from_state, entry.to_state)
        if step is not None:
            text = _refusal_text(entry) if step == rules.REFUSED else ""
            rows.append({"at": entry.at, "label": str(STEP_LABELS[step]), "text": text})
        elif entry.action in ("evaluate", "evaluate_callback") and entry.data.get("satisfaction"):
            level = entry.data["satisfaction"]
            label = Satisfaction(level).label if level in Satisfaction.values else level
            rows.append({"at": entry.at, "label": str(STEP_LABELS["rated"]), "text": str(label)})
        elif entry.action in RESIDENT_ROWS and (entry.data or {}).get("public") is True:
            label = STEP_LABELS[RESIDENT_ROWS[entry.action]]
            rows.append({"at": entry.at, "label": str(label), "text": entry.comment})
        reply = (entry.data or {}).get("reply")
        if isinstance(reply, str) and reply.strip():
            rows.append({"at": entry.at, "label": str(STEP_LABELS["reply"]), "text": reply})
    return rows


def _photo_urls(keys: list, *, own: bool) -> list[str]:
    """URLs of photos given as refs ("photo:<uuid>") or keys; anything else is left out. Their
    own report's photos by a signed link (views_photos), another's only as the public sees
    them: approved, at the public photo address."""
    urls = []
    for key in keys:
        try:
            key = UUID(str(key).removeprefix("photo:"))
        except ValueError:
            continue
        urls.append(
            report_photo_url(key) if own else reverse("residents:public_photo", kwargs={"key": key})
        )
    return urls


def _public_view(event: Event) -> PublicView | None:
    try:
        return event.public_view  # read with the event (select_related)
    except PublicView.DoesNotExist:
        return None


def resident_report(event: Event, *, viewer: User | None, via: str | None) -> dict[str, Any]:
    """ResidentReportOut for `viewer` (None: an anonymous look-up by number and phone) who
    relates to it as `via`: "reporter" (the reporter account or the phone's account), a
    Follow's via, or "lookup" (gave the number and the phone: they are the one who gave it).
    A "me too" follower sees the public wording and place, as the public does."""
    entries = list(event.timeline.all())
    view = _public_view(event)
    own = via in (Follow.Via.REPORTER, Follow.Via.LOOKUP) or via is None
    if own:
        description, lon, lat, address = event.description, event.lon, event.lat, event.address
        # The photos sent with the report (the staff's photos of their work are theirs).
        report = next((e for e in entries if e.action == "report" and not e.from_state), None)
        photo_keys = list(report.data.get("photos") or []) if report else []
    else:
        public = view
        description = (public.public_text if public and public.public_text else "") or (
            public_description(event)
        )
        lat, lon = public_point(event)
        address = ""
        photo_keys = list(public.approved_photos) if public else []
    relates = viewer is not None and via is not None
    refusal = ""
    if event.state in rules.REFUSED_STATES:
        last = [e for e in entries if e.to_state == event.state and e.from_state != e.to_state]
        refusal = _refusal_text(last[-1]) if last else ""
    return {
        "number": event.number,
        "subclass_name": event.subclass.name_zh,
        "description": description,
        "address": address,
        "lon": lon,
        "lat": lat,
        "state": event.state,
        "state_name": str(State(event.state).label),
        "public_state": rules.public_state(event.state),
        "reported_at": event.reported_at,
        "closed_at": event.closed_at,
        "refusal_reason": refusal,
        "satisfaction": event.satisfaction,
        "can_rate": rules.can_rate(
            state=event.state,
            viewer_is_reporter=viewer is not None and event.reporter_id == viewer.pk,
        ),
        "can_reopen": rules.can_reopen(
            state=event.state,
            closed_at=event.closed_at,
            now=timezone.now(),
            reopen_days=settings.GRIDGOV_REOPEN_DAYS,
            viewer_relates=relates,
        ),
        "can_add": rules.can_add(state=event.state, viewer_relates=relates),
        "following_via": via if viewer is not None else None,
        # The reporter's own choice to be named publicly (their checkbox); False to others.
        "reporter_named": bool(own and view is not None and view.reporter_named),
        "photos": _photo_urls(photo_keys, own=own),
        "timeline": timeline_public(entries),
    }


def _events() -> QuerySet[Event]:
    return Event.objects.select_related("subclass", "area", "public_view").prefetch_related(
        Prefetch("timeline", queryset=TimelineEntry.objects.order_by("at", "pk"))
    )


def viewer_relation(event: Event, user: User) -> str | None:
    """How `user` relates to `event`: "reporter", a Follow's via, or None."""
    if event.reporter_id is not None and event.reporter_id == user.pk:
        return Follow.Via.REPORTER
    return Follow.objects.filter(event=event, user=user).values_list("via", flat=True).first()


def resident_reports(*, user: User, before: str | None = None, limit: int = LIST_LIMIT) -> list:
    """The user's reports and the ones they follow, newest first; `before`: the number of
    the last one of the previous page."""
    follows = dict(Follow.objects.filter(user=user).values_list("event_id", "via"))
    queryset = _events().filter(Q(reporter=user) | Q(pk__in=list(follows)))
    if before:
        anchor = Event.objects.filter(number=before).values("reported_at", "pk").first()
        if anchor is not None:
            queryset = queryset.filter(
                Q(reported_at__lt=anchor["reported_at"])
                | Q(reported_at=anchor["reported_at"], pk__lt=anchor["pk"])
            )
    events = queryset.order_by("-reported_at", "-pk")[: max(1, min(limit, LIST_LIMIT))]
    return [
        resident_report(
            event,
            viewer=user,
            via=Follow.Via.REPORTER if event.reporter_id == user.pk else follows.get(event.pk),
        )
        for event in events
    ]


def resident_report_for(*, user: User, number: str) -> dict[str, Any]:
    """One report of the user's (reported or followed), else 404."""
    event = _events().filter(number=number).first()
    via = viewer_relation(event, user) if event is not None else None
    if event is None or via is None:
        raise NotFound(_("No report with this number among yours."))
    return resident_report(event, viewer=user, via=via)


def event_for_lookup(*, number: str, phone: str) -> Event:
    """The report with this number whose reporter gave this phone (with the report, or on
    their account). Every mismatch is the same 404: the answer never says which part was
    wrong."""
    wanted = mobile_or_none(phone) or phone_normalized(phone)
    event = _events().select_related("reporter").filter(number=str(number).strip()).first()
    if event is None or not wanted:
        raise _not_found()
    given = {mobile_or_none(event.reporter_phone) or phone_normalized(event.reporter_phone)}
    if event.reporter_id and not is_staff_member(event.reporter):
        # A resident's account phone; never a staff member's (an operator on the hotline).
        given.add(mobile_or_none(event.reporter.phone))
    if wanted not in given - {None, ""}:
        raise _not_found()
    return event
