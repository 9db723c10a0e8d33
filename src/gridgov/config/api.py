"""The REST API: one NinjaAPI, routers per app, one error shape.

Every answer that is not a success has the shape of `common.schemas.ErrorOut` (code,
message, field), whether a service refused (DomainError), the input did not match the
schema (422), the caller is unknown (401), the body is not JSON (400) or a URL names
nothing (404): clients and the fuzz test read one shape.
"""

import re
from typing import Any

from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
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
# Ninja's own refusals carry fixed English text ("Cannot parse request body", "CSRF check
# Failed"): said again in the reader's language, by status.
HTTP_ERROR_MESSAGES = {
    400: gettext_lazy("The body could not be read: send JSON."),
    403: gettext_lazy("The CSRF check failed: reload the page and try again."),
}

# Pydantic writes its messages in English only; each error type it can raise on our schemas
# is said again through gettext, with the limits from its `ctx` (decision: one language per
# answer, the one LocaleMiddleware chose from the session or Accept-Language).
_WHOLE_NUMBER = gettext_lazy("Must be a whole number.")
_NUMBER = gettext_lazy("Must be a number.")
_BOOLEAN = gettext_lazy("Must be true or false.")
_DATE = gettext_lazy("Must be a date such as 2026-10-31.")
_DATE_TIME = gettext_lazy("Must be a date and time such as 2026-10-31T08:30:00+08:00.")
_OBJECT = gettext_lazy("Must be an object.")
_ONE_OF = gettext_lazy("Must be one of: %(expected)s.")
VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "literal_error": _ONE_OF,
    "enum": _ONE_OF,
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s."),
    "greater_than": gettext_lazy("Must be more than %(gt)s."),
    "less_than_equal": gettext_lazy("Must be at most %(le)s."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
    "multiple_of": gettext_lazy("Must be a multiple of %(multiple_of)s."),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "string_too_short": gettext_lazy("At least %(min_length)s characters."),
    "too_long": gettext_lazy("At most %(max_length)s items."),
    "too_short": gettext_lazy("At least %(min_length)s items."),
    "string_pattern_mismatch": gettext_lazy("Not in the expected format."),
    "string_type": gettext_lazy("Must be text."),
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "finite_number": _NUMBER,
    "bool_parsing": _BOOLEAN,
    "bool_type": _BOOLEAN,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _DATE_TIME,
    "datetime_type": _DATE_TIME,
    "datetime_from_date_parsing": _DATE_TIME,
    "timezone_aware": _DATE_TIME,
    "uuid_parsing": gettext_lazy("Must be a UUID."),
    "uuid_type": gettext_lazy("Must be a UUID."),
    "list_type": gettext_lazy("Must be a list."),
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "extra_forbidden": gettext_lazy("This field is not expected."),
}
# The ValueErrors our own validators raise (common/schemas.py: `Day`, `When`).
VALUE_ERROR_MESSAGES = {
    "expected an ISO 8601 date": _DATE,
    "expected an ISO 8601 date and time": _DATE_TIME,
}
_QUOTED = re.compile(r"'([^']*)'")


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        # Kept per process, forgotten everywhere when a token or user is saved (decision 0027).
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


# A few languages times a mount prefix or two; more keys than this means something varies
# that should not (a forged script prefix), and the cache starts over rather than grow.
OPENAPI_DOCUMENTS_KEPT = 16


class GridgovAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document is built once per process, language and prefix.

    Building it walks every operation and schema: about a second of CPU, and
    `GET /api/openapi.json` is open to anyone, so rebuilding it on each request was an easy
    way to load a server. The document depends only on the code (fixed in a process), the
    URL prefix the API is mounted at and the active language (texts said through gettext),
    never on who asks: ninja's view passes no request or user to it. The cached document is
    shared by every caller: read it, do not change it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._openapi_documents: dict[tuple[str | None, str], OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (translation.get_language(), path_prefix)
        document = self._openapi_documents.get(key)
        if document is None:
            # Two threads may both build a missing document: the same one, kept once.
            document = super().get_openapi_schema(path_prefix=path_prefix)
            if len(self._openapi_documents) >= OPENAPI_DOCUMENTS_KEPT:
                self._openapi_documents.clear()
            self._openapi_documents[key] = document
        return document


api = GridgovAPI(
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


def validation_message(error: dict) -> str:
    """One pydantic error said in the active language; an unknown type gets a general
    sentence rather than English."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "value_error":
        reason = str(context.get("error", ""))
        return str(VALUE_ERROR_MESSAGES.get(reason, _("This value is not valid.")))
    message = VALIDATION_MESSAGES.get(kind)
    if message is None:
        return _("This value is not valid.")
    values = {key: str(value) for key, value in context.items()}
    if "expected" in values:
        # pydantic's "'a', 'b' or 'c'": the values without its English "or".
        values["expected"] = ", ".join(_QUOTED.findall(values["expected"])) or values["expected"]
    try:
        return str(message) % values
    except (KeyError, ValueError, TypeError):  # a ctx without the limit: say it plainly
        return _("This value is not valid.")


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    # Type, place and message only: pydantic's `input` would echo what was sent (a whole
    # body, personal data) and its `ctx` may hold objects that are not JSON.
    items = [
        {
            "type": str(error.get("type", "invalid")),
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": validation_message(error),
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
    message = HTTP_ERROR_MESSAGES.get(exc.status_code, str(exc))
    return _error(
        request, exc.status_code, HTTP_ERROR_CODES.get(exc.status_code, "error"), str(message)
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
