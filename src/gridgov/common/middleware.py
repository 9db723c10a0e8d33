"""Requests no view should see."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

# Path prefix → how a URL space answers a refusal in its own shape (an app registers it in
# its AppConfig.ready(): Open311 clients read only [{code, description}]).
REFUSALS: dict[str, Callable[[HttpRequest, int, str], HttpResponse]] = {}


def reject_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """A NUL character is never meaningful in our text, and PostgreSQL cannot store it: refuse
    it at the door with a 400 instead of failing deep inside a query."""

    def middleware(request: HttpRequest) -> HttpResponse:
        content_type = request.META.get("CONTENT_TYPE", "")
        suspicious = any("\x00" in value for _k, values in request.GET.lists() for value in values)
        if not suspicious and content_type.startswith("application/json"):
            suspicious = b"\\u0000" in request.body or b"\x00" in request.body
        if not suspicious and content_type.startswith("application/x-www-form-urlencoded"):
            suspicious = any(
                "\x00" in value for _k, values in request.POST.lists() for value in values
            )
        if suspicious:
            for prefix, refuse in REFUSALS.items():
                if request.path.startswith(prefix):
                    return refuse(request, 400, "The request contains a NUL character.")
            return JsonResponse(
                {
                    "code": "invalid",
                    "message": _("The request contains a NUL character."),
                    "field": None,
                },
                status=400,
            )
        return get_response(request)

    return middleware
