"""The site's URLs plus one bench-only view: the same event row inserted with nothing around
it (no auth, no checks, no audit row), the strongest baseline for the intake API."""

import json

from auditlog.context import disable_auditlog
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from gridgov.config.urls import urlpatterns as site_urlpatterns
from gridgov.events.models import Event


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    row = json.loads(request.body)
    with disable_auditlog():
        event = Event.objects.create(
            number=row["number"],
            subclass_id=row["subclass_id"],
            area_id=row["area_id"],
            reporter_id=row["reporter_id"],
            description=row["description"],
            source="hotline",
            lon=row["lon"],
            lat=row["lat"],
        )
    return JsonResponse({"id": event.pk, "number": event.number}, status=201)


urlpatterns = [path("bench/bare-insert", bare_insert), *site_urlpatterns]
