"""The REST API: one NinjaAPI, routers per app, one error shape.

Every answer that is not a success has the shape of `common.schemas.ErrorOut` (code,
message, field), whether a service refused (DomainError), the input did not match the
schema (422), the caller is unknown (401), the body is not JSON (400) or a URL names
nothing (404): clients and the fuzz test read one shape.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from gridgov.accounts.token_cache import token_user
from gridgov.analytics.api import router as analytics_router
from gridgov.analytics.api_hotspots import router as hotspots_router
from gridgov.analytics.api_kpis import router as kpis_router
from gridgov.areas.api import router as areas_router
from gridgov.assessment.api import router as assessment_router
from gridgov.canvass.api import router as canvass_router
from gridgov.care.api import router as care_router
from gridgov.care.api_bundle import router as worker_registry_router
from gridgov.care.api_quality import router as quality_router
from gridgov.common.errors import DomainError
from gridgov.dispatch.api import router as dispatch_router
from gridgov.events.api import router as events_router
from gridgov.events.api_command import router as command_router
from gridgov.events.api_dispatching import router as events_dispatching_router
from gridgov.events.api_triage import router as triage_router
from gridgov.events.api_whistles import router as whistles_router
from gridgov.events.api_worker import router as worker_router
from gridgov.registry.api import router as registry_router
from gridgov.registry.api_changes import router as changes_router
from gridgov.registry.api_homes import router as homes_router
from gridgov.reports.api import router as reports_router
from gridgov.residents.api import public_router as residents_public_router
from gridgov.residents.api import router as residents_router
from gridgov.smartcodes.api import router as codes_router

# Statuses ninja raises itself (HttpError) and the codes we give them.
HTTP_ERROR_CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 429: "rate_limited"}


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        # Kept per process, forgotten everywhere when a token or user is saved (decision 0027).
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="gridgov API",
    version="1",
    description="Grid tree and registry of gridgov. Authenticate with `Authorization: Bearer <token>` "
    "(make one with `gridgov create_token USERNAME`) or a signed-in session. "
    "Every error answers `{code, message, field}`.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request, status: int, code: str, message: str, field: str | None = None, **extra):
    return api.create_response(
        request, {"code": code, "message": message, "field": field, **extra}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    # Type, place and message only: pydantic's `input` would echo what was sent (a whole
    # body, personal data) and its `ctx` may hold objects that are not JSON.
    items = [
        {
            "type": str(error.get("type", "invalid")),
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
        }
        for error in exc.errors
    ]
    first = items[0] if items else {"loc": [], "msg": ""}
    location = [
        str(part) for part in first["loc"] if part not in ("body", "query", "path", "payload")
    ]
    return _error(
        request,
        422,
        "invalid",
        first["msg"] or _("Invalid input."),
        ".".join(location) or None,
        errors=items,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return _error(request, 401, "unauthorized", _("Sign in or send a valid bearer token."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # Ninja's own refusals: a body that is not JSON (400), a failed CSRF check (403).
    return _error(
        request, exc.status_code, HTTP_ERROR_CODES.get(exc.status_code, "error"), str(exc)
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


api.add_router("/v1/areas", areas_router)
api.add_router("/v1/registry", registry_router)
api.add_router("/v1/events", events_router)
api.add_router("/v1/whistles", whistles_router)
api.add_router("/v1/events", triage_router)  # triage at the desk (decision 0024)
api.add_router("/v1/dispatch", dispatch_router)
# Same /dispatch/ paths: the parts that read events live above dispatch (decision 0022).
api.add_router("/v1/dispatch", events_dispatching_router)
api.add_router("/v1/canvass", canvass_router)
api.add_router("/v1/codes", codes_router)
api.add_router("/v1/worker", worker_router)
api.add_router("/v1/resident", residents_router)
api.add_router("/v1/public", residents_public_router)
# The registry as people live in it (issue 12); own prefixes: /v1/registry/{kind} takes the rest.
api.add_router("/v1/homes", homes_router)
api.add_router("/v1/homes", changes_router)
api.add_router("/v1/quality", quality_router)
api.add_router("/v1/worker/registry", worker_registry_router)
api.add_router("/v1/care", care_router)
# Issue 13: the leaders' analytics, the assessment, reports and the command center.
api.add_router("/v1/analytics", analytics_router)
api.add_router("/v1/analytics/kpis", kpis_router)
api.add_router("/v1/analytics/hotspots", hotspots_router)
api.add_router("/v1/assessment", assessment_router)
api.add_router("/v1/reports", reports_router)
api.add_router("/v1/command", command_router)
