"""The door every Open311 view goes through: methods, jurisdiction and errors in one shape.

GeoReport v2 clients read every refusal as [{code, description}] (or <errors><error>), a
wrong method too. No view uses the session (a POST is authorised by its api_key), so they
are exempt from CSRF: a cross-site form can do nothing a client with the key could not.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from gridgov.open311.formats import GeoReportError, error, format_of_path

View = Callable[..., HttpResponse]


def jurisdiction() -> str:
    return getattr(settings, "OPEN311_JURISDICTION", "gucheng.lijiang.gov.cn")


def jurisdiction_check(request: HttpRequest) -> None:
    """One server, one jurisdiction: a client that names another must not get our data."""
    wanted = request.GET.get("jurisdiction_id")
    if not wanted and request.method == "POST":
        wanted = request.POST.get("jurisdiction_id")
    if wanted and wanted != jurisdiction():
        raise GeoReportError(404, f"jurisdiction_id {wanted} not found")


def georeport(*methods: str, jurisdictional: bool = True) -> Callable[[View], View]:
    """A GeoReport view: `methods` allowed (else 405 with Allow), the jurisdiction checked,
    and a GeoReportError raised anywhere inside rendered in the request's format."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
            if request.method not in allowed:
                response = error(fmt, 405, f"method {request.method} is not allowed here")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if jurisdictional:
                    jurisdiction_check(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except GeoReportError as failure:
                return error(fmt, failure.status, failure.description)

        return wrapped

    return decorate


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything under /open311/ that no endpoint matches, an unknown format suffix too."""
    return error(
        format_of_path(request.path), 404, f"{request.path} is not a GeoReport v2 resource"
    )


def refusal(request: HttpRequest, status: int, description: str) -> HttpResponse:
    """A refusal made before any view (common.middleware), in the GeoReport shape."""
    return error(format_of_path(request.path), status, description)
