"""The REST API: one NinjaAPI, routers per app, one error shape."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from gridgov.accounts.services import api_token_authenticate
from gridgov.areas.api import router as areas_router
from gridgov.canvass.api import router as canvass_router
from gridgov.common.errors import DomainError
from gridgov.dispatch.api import router as dispatch_router
from gridgov.events.api import router as events_router
from gridgov.registry.api import router as registry_router
from gridgov.smartcodes.api import router as codes_router


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="gridgov API",
    version="1",
    description="Grid tree and registry of gridgov. Authenticate with `Authorization: Bearer <token>` "
    "(make one with `gridgov create_token USERNAME`) or a signed-in session.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [
        str(part)
        for part in first.get("loc", [])
        if part not in ("body", "query", "path", "payload")
    ]
    return api.create_response(
        request,
        {
            "code": "invalid",
            "message": first.get("msg", _("Invalid input.")),
            "field": ".".join(location) or None,
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request,
        {
            "code": "unauthorized",
            "message": _("Sign in or send a valid bearer token."),
            "field": None,
        },
        status=401,
    )


api.add_router("/v1/areas", areas_router)
api.add_router("/v1/registry", registry_router)
api.add_router("/v1/events", events_router)
api.add_router("/v1/dispatch", dispatch_router)
api.add_router("/v1/canvass", canvass_router)
api.add_router("/v1/codes", codes_router)
