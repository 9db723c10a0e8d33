"""The big screen's summary: what it counts must add up."""

import pytest
from django.test import Client

from gridgov.dispatch.models import WorkerPosition
from gridgov.events.services import event_act, event_report
from tests.api.test_api import token_for
from tests.conftest import WENHUI_GRID


@pytest.mark.django_db
def test_summary_counts_open_events_per_grid_today_and_the_trend(
    operator, other_community_staff, grid_worker, resident, wenhui_point
):
    from django.utils import timezone

    events = [
        event_report(
            user=resident,
            data={
                "subclass": "0102",
                "description": f"垃圾{i}",
                "lon": wenhui_point[0],
                "lat": wenhui_point[1],
            },
            source="resident",
        )
        for i in range(3)
    ]
    event_act(user=operator, event_id=events[0].pk, action="void", comment="虚假")
    WorkerPosition.objects.create(
        user=grid_worker, lon=wenhui_point[0], lat=wenhui_point[1], at=timezone.now()
    )
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    body = client.get("/api/v1/events/screen").json()
    assert body["open_total"] == 2
    assert body["areas"][WENHUI_GRID]["open"] == 2
    assert {e["id"] for e in body["events"]} == {events[1].pk, events[2].pk}
    assert body["today"]["reported"] == 3
    assert body["trend"]["reported"][-1] == 3
    assert sum(body["trend"]["reported"]) == 3
    assert [w["id"] for w in body["workers"]] == [grid_worker.pk]
    # 金甲's staff see none of 文汇's events or workers.
    other = Client(headers={"Authorization": f"Bearer {token_for(other_community_staff)}"})
    theirs = other.get("/api/v1/events/screen").json()
    assert theirs["open_total"] == 0
    assert theirs["workers"] == []
    assert client.get("/api/v1/events/screen?level=nonsense").status_code == 422


@pytest.mark.django_db
def test_the_screen_is_shared_by_the_same_role_and_area_only(
    settings, community_staff, other_community_staff, resident, wenhui_point
):
    """Screens poll every few seconds: users who would get the same answer share one for a
    few seconds; another area never gets it, and the capability is still checked first."""
    from django.core.cache import cache

    from gridgov.accounts.models import User

    settings.GRIDGOV_SCREEN_CACHE_SECONDS = 60
    cache.clear()
    colleague = User.objects.create(
        username="t_colleague", role=community_staff.role, area=community_staff.area
    )

    def screen(user):
        client = Client(headers={"Authorization": f"Bearer {token_for(user)}"})
        return client.get("/api/v1/events/screen")

    assert screen(community_staff).json()["open_total"] == 0
    assert screen(other_community_staff).json()["open_total"] == 0
    event_report(
        user=resident,
        data={
            "subclass": "0102",
            "description": "垃圾",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
        },
        source="resident",
    )
    # Within the window the area's screens show the shared answer (what one computed)...
    assert screen(colleague).json()["open_total"] == 0
    # ...a resident is still refused, and after the window the new event shows.
    assert screen(resident).status_code == 403
    cache.clear()
    assert screen(colleague).json()["open_total"] == 1
    # Another area's answer is never given for this one: 金甲 computed its own above (0),
    # and 文汇's staff see their event, not that.
    assert screen(other_community_staff).json()["open_total"] == 0
    assert screen(community_staff).json()["open_total"] == 1
