"""Two-factor sign-in (TOTP, django-otp) and short staff sessions.

Sign-in has two steps everywhere (the site's login and the back office's): the password
(throttled by django-axes), then, for whoever needs it, a six-digit code from an
authenticator app at /accounts/2fa/. Until that second step a session can reach nothing
but that page and logout. Who needs it: superusers and staff of the whole district (their
area is the root of the tree) when GRIDGOV_REQUIRE_2FA is on; anyone who enrolled a device.
Others may enrol on the same page. Staff sessions end when the browser closes.
"""

from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role

# What an unverified session may still reach: the second step itself, leaving, assets.
_OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/admin/logout/", "/static/", "/i18n/")
_SESSION_KEY = "gridgov_second_factor"  # cached decision: "required" or "none", per setting


def is_staff_member(user: User) -> bool:
    return user.is_superuser or user.is_staff or user.role != Role.RESIDENT


def second_factor_mandatory(user: User) -> bool:
    """Superusers and district-wide staff, when the deployment requires two factors."""
    if not settings.GRIDGOV_REQUIRE_2FA:
        return False
    if user.is_superuser:
        return True
    return is_staff_member(user) and user.area_id is not None and user.area.parent_id is None


def second_factor_needed(request: HttpRequest) -> bool:
    """Whether this signed-in session must pass the code step (cached in the session, as it
    costs queries; recomputed when the deployment's requirement changes)."""
    user = request.user
    cached = request.session.get(_SESSION_KEY)
    if cached and cached[0] == settings.GRIDGOV_REQUIRE_2FA:
        return cached[1] == "required"
    needed = second_factor_mandatory(user) or user_has_device(user, confirmed=True)
    request.session[_SESSION_KEY] = (settings.GRIDGOV_REQUIRE_2FA, "required" if needed else "none")
    return needed


def second_factor_required(get_response: Callable[[HttpRequest], HttpResponse]):
    """Send an unverified session that needs a second factor to /accounts/2fa/ (pages) or
    answer 403 (API); make staff sessions end with the browser."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return get_response(request)
        if is_staff_member(user) and not request.session.get_expire_at_browser_close():
            request.session.set_expiry(0)
        path = request.path_info
        if (
            not user.is_verified()
            and not path.startswith(_OPEN_PREFIXES)
            and second_factor_needed(request)
        ):
            if path.startswith(("/api/", "/open311/")):
                message = _("Enter the code from your authenticator app first (/accounts/2fa/).")
                return JsonResponse(
                    {"code": "second_factor_required", "message": message, "field": None},
                    status=403,
                )
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return get_response(request)

    return middleware


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: one unconfirmed device per user, kept until confirmed so
    that reloading the page does not change the secret the app already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="gridgov", confirmed=False)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a code (enrolled users) or enrol an authenticator app (everyone else)."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    enrolling = not confirmed.exists()
    device = _pending_device(user) if enrolling else None
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("token", "").split())
        candidates = [device] if enrolling else list(confirmed)
        verified = next((d for d in candidates if d.verify_token(token)), None)
        if verified is not None:
            if enrolling:
                verified.confirmed = True
                verified.save(update_fields=["confirmed"])
            otp_login(request, verified)
            request.session[_SESSION_KEY] = (settings.GRIDGOV_REQUIRE_2FA, "required")
            return redirect(_safe_next(request))
        error = _("That code is not right (or it was used already). Try the next one.")
    context = {
        "enrolling": enrolling,
        "verified": user.is_verified(),
        "mandatory": second_factor_mandatory(user),
        "error": error,
        "next": _safe_next(request),
    }
    if enrolling:
        context["otpauth_uri"] = device.config_url
        context["qr_data_uri"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(request, "web/two_factor.html", context, status=400 if error else 200)
