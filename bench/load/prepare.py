"""The fixtures of the load scenario, written as JSON for the locustfile.

Run by bench/load.py with the scenario's environment (DATABASE_URL, REDIS_URL, …), after the
demo city and the events are loaded: a bearer token for each of up to `users` grid workers
with a spot in their grid, the operator's token and a signed-in session for the pages, the
streets and communities the map opens, report subclasses, and a sample of event ids spread
over the whole table (old and new, so the event page is not only served from a warm cache).
"""

import json
import os
import random
import sys


def main(out: str, users: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.config.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from shapely.geometry import shape

    from gridgov.accounts.models import User
    from gridgov.accounts.roles import Role
    from gridgov.accounts.services import api_token_create
    from gridgov.areas.models import Area, GridWorker
    from gridgov.demo.field import positions_refresh
    from gridgov.events.models import Subclass

    rng = random.Random(7)
    positions_refresh()  # every demo worker on duty as of now: nearest has answers
    spots = {
        a.pk: shape(a.geometry).representative_point()
        for a in Area.objects.filter(kind="grid").exclude(geometry=None)
    }
    workers = []
    # The grid a worker answers for is the user's own area (what a report's scope is checked
    # against), on duty through a GridWorker row (what nearest finds).
    on_duty = set(GridWorker.objects.values_list("user_id", flat=True))
    for user in User.objects.filter(role=Role.GRID_WORKER, area__kind="grid").order_by("pk"):
        if len(workers) >= users:
            break
        if user.pk not in on_duty or user.area_id not in spots:
            continue
        _token, key = api_token_create(user=user, name="load test")
        point = spots[user.area_id]
        workers.append({"token": key, "lon": point.x, "lat": point.y})

    _token, admin_key = api_token_create(user=User.objects.get(username="admin"), name="load test")
    operator = User.objects.get(username="operator")
    _token, operator_key = api_token_create(user=operator, name="load test")
    session = SessionStore()
    session[SESSION_KEY] = str(operator.pk)
    session[BACKEND_SESSION_KEY] = "gridgov.accounts.backends.UserWithAreaBackend"
    session[HASH_SESSION_KEY] = operator.get_session_auth_hash()
    session.create()

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM events_event")
        low, high = cursor.fetchone()
    events = []
    if low is not None:
        candidates = sorted({rng.randint(low, high) for _ in range(4000)})
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM events_event WHERE id = ANY(%s)", [candidates])
            events = [row[0] for row in cursor.fetchall()][:2000]
    fixtures = {
        "workers": workers,
        "operator_token": operator_key,
        "admin_token": admin_key,
        "operator_session": session.session_key,
        "streets": list(Area.objects.filter(kind="street").values_list("code", flat=True)),
        "communities": list(Area.objects.filter(kind="community").values_list("code", flat=True)),
        # Subclasses a report needs nothing more for (no photo, no extra fields).
        "subclasses": [
            s.code
            for s in Subclass.objects.filter(active=True, photo_required=False)
            if not any(f.get("required", True) for f in s.extra_fields or [])
        ][:40],
        "events": events,
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(fixtures, handle)
    print(
        f"fixtures: {len(workers)} workers, {len(events)} event ids, "
        f"{len(fixtures['subclasses'])} subclasses"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
