"""The resident API's telling part (issue 11): sign-in by phone with an SMS code, following
an anonymous report by its number and phone, and the resident's own reports with their
public timeline. Thin handlers: phone_login, selectors_timeline and telling do the work."""

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth import login
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.utils import check_csrf

from gridgov.accounts.models import User
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError, PermissionDenied
from gridgov.common.schemas import Out, errors, public_errors
from gridgov.common.twofactor import is_staff_member
from gridgov.residents import phone_login, selectors_timeline, telling

router = Router(tags=["residents"])

RESIDENT_HOME = "/r/"

Phone = Annotated[str, Field(min_length=1, max_length=32)]
Number = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^\d+$")]


class TooManyRequests(DomainError):
    status = 429


def _limit(request, group: str, key: str, rate: str) -> None:
    """Count this request against `rate` for `key` (an address, a phone, a number); 429
    once over. Counted in the shared cache (django-ratelimit), as common.ratelimits does."""
    if is_ratelimited(
        request,
        group=f"gridgov.residents.{group}",
        key=lambda _group, _request: key,
        rate=rate,
        method=ALL,
        increment=True,
    ):
        raise TooManyRequests(
            _("Too many requests; please wait a while and try again."), code="rate_limited"
        )


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, default)


def _session_csrf(request) -> None:
    """A signed-in session's write must carry its CSRF token (ninja skips the check on
    operations without `auth`); a sign-in too, so no page signs a visitor in as someone
    else (login CSRF)."""
    if check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF check failed; reload the page."), code="csrf")


def _resident(request) -> User:
    user = request.user
    if is_staff_member(user):
        raise PermissionDenied(
            _("This is the residents' side; staff use the back office."), code="resident_only"
        )
    return user


class PhoneCodeIn(Schema):
    phone: Phone


class PhoneCodeOut(Out):
    expires_in: int = Field(description="seconds the code lives")


class PhoneLoginIn(Schema):
    phone: Phone
    code: Annotated[str, Field(min_length=1, max_length=12)]


class PhoneLoginOut(Out):
    username: str
    role: str
    next: str = Field(description="where the front end goes now")


class LookupIn(Schema):
    number: Number
    phone: Phone


class TimelineRowOut(Out):
    at: dt.datetime
    label: str
    text: str


class ResidentReportOut(Out):
    number: str
    subclass_name: str
    description: str
    address: str
    lon: float
    lat: float
    state: str
    state_name: str
    public_state: Literal[
        "received", "filed", "refused", "dispatched", "handled", "closed", "rated"
    ]
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    refusal_reason: str
    satisfaction: str
    can_rate: bool
    can_reopen: bool
    can_add: bool
    following_via: str | None = Field(description="reporter, me_too, lookup or null")
    reporter_named: bool = Field(
        description="the reporter chose to be named on the public report (false unless own)"
    )
    photos: list[str]
    timeline: list[TimelineRowOut]


@router.post(
    "/phone-code",
    auth=None,
    response={202: PhoneCodeOut, **public_errors(403, 429, 503)},
    summary="Send a sign-in code to a mobile (rate-limited per phone and address)",
)
def phone_code(request, payload: PhoneCodeIn):
    _limit(request, "code-ip", client_address(request), _rate("GRIDGOV_PHONE_CODES_PER_IP", "20/h"))
    phone = phone_login.phone_checked(payload.phone)
    _limit(request, "code-phone-minute", phone, "1/m")
    _limit(request, "code-phone", phone, _rate("GRIDGOV_PHONE_CODES_PER_PHONE", "5/h"))
    return Status(202, {"expires_in": phone_login.phone_code_send(phone=phone)})


@router.post(
    "/phone-login",
    auth=None,
    response={200: PhoneLoginOut, **public_errors(403, 429)},
    summary="Sign in with the code sent to the phone (residents only)",
)
def phone_sign_in(request, payload: PhoneLoginIn):
    _session_csrf(request)
    _limit(
        request, "login-ip", client_address(request), _rate("GRIDGOV_PHONE_LOGINS_PER_IP", "30/h")
    )
    phone = phone_login.phone_checked(payload.phone)
    user = phone_login.phone_code_check(phone=phone, code=payload.code)
    # The code is the credential: the model backend signs the session in; axes (which
    # throttles passwords) hears of the success through Django's signal.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = RESIDENT_HOME
    if user_has_device(user, confirmed=True):  # a resident who enrolled an authenticator
        target = f"{reverse('two_factor')}?next={RESIDENT_HOME}"
    return {"username": user.username, "role": user.role, "next": target}


@router.post(
    "/lookup",
    auth=None,
    response={200: ResidentReportOut, **public_errors(403, 404, 429)},
    summary="A report by its number and the phone given with it (a signed-in resident follows it)",
)
def report_lookup(request, payload: LookupIn):
    _limit(request, "lookup-ip", client_address(request), _rate("GRIDGOV_LOOKUPS_PER_IP", "30/h"))
    _limit(request, "lookup-number", payload.number, _rate("GRIDGOV_LOOKUPS_PER_NUMBER", "10/h"))
    event = selectors_timeline.event_for_lookup(number=payload.number, phone=payload.phone)
    user = request.user
    if user.is_authenticated and not is_staff_member(user):
        _session_csrf(request)
        via = telling.follow_by_lookup(user=user, event=event)
        return selectors_timeline.resident_report(event, viewer=user, via=via)
    return selectors_timeline.resident_report(event, viewer=None, via=None)


@router.get(
    "/reports",
    response={200: list[ResidentReportOut], **errors(403)},
    summary="My reports and the ones I follow, newest first",
)
def my_reports(
    request,
    before: Annotated[str | None, Query(max_length=20, description="the last number seen")] = None,
    limit: Annotated[int, Query(ge=1, le=selectors_timeline.LIST_LIMIT)] = (
        selectors_timeline.LIST_LIMIT
    ),
):
    return selectors_timeline.resident_reports(user=_resident(request), before=before, limit=limit)


@router.get(
    "/reports/{number}",
    response={200: ResidentReportOut, **errors(403, 404)},
    summary="One of my reports (reported or followed)",
)
def my_report(request, number: Annotated[str, Path(max_length=20)]):
    return selectors_timeline.resident_report_for(user=_resident(request), number=number)
