"""The site's URLs plus bench-only views: the same event row inserted with nothing around
it (no auth, no checks, no audit row), the strongest baseline for the intake API; the same
position written likewise, for the position API."""

import json

from auditlog.context import disable_auditlog
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from gridgov.config.urls import urlpatterns as site_urlpatterns
from gridgov.dispatch.models import PositionSample, WorkerPosition
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


@csrf_exempt
def bare_position(request: HttpRequest) -> JsonResponse:
    """A worker's latest position and the track's point as plain Django writes them: the
    upsert and the insert with the ORM in one transaction (bench/position_updates.py)."""
    row = json.loads(request.body)
    at = timezone.now()
    fields = {"lon": row["lon"], "lat": row["lat"], "accuracy_m": row["accuracy_m"], "at": at}
    with transaction.atomic():
        WorkerPosition.objects.bulk_create(
            [WorkerPosition(user_id=row["user_id"], on_duty=True, **fields)],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["lon", "lat", "accuracy_m", "at", "on_duty", "updated_at"],
        )
        PositionSample.objects.create(user_id=row["user_id"], **fields)
    return JsonResponse({**fields, "at": at.isoformat()})


urlpatterns = [
    path("bench/bare-insert", bare_insert),
    path("bench/bare-position", bare_position),
    *site_urlpatterns,
]
