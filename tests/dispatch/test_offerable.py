"""Only workers the dispatch service would accept are offered (issue 10, part 4): a worker
of another grid, or any grid worker for a matter off the grid admission list (入格事项清单),
shows greyed with the reason and no checkbox, and a forged tick is still refused."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError
from gridgov.dispatch.models import WorkerPosition
from gridgov.events.dispatching import dispatch_panel
from gridgov.events.models import Event, Subclass
from gridgov.events.services import event_act, event_report
from tests.api.test_api import token_for
from tests.conftest import WENHUI_GRID


def _worker(username: str, grid_code: str, point, **names) -> User:
    worker = User.objects.create(
        username=username, role="grid_worker", area=Area.objects.get(code=grid_code), **names
    )
    WorkerPosition.objects.create(user=worker, lon=point[0], lat=point[1], at=timezone.now())
    return worker


def _filed(operator, resident, point, subclass: str = "0102") -> Event:
    event = event_report(
        user=resident,
        data={"subclass": subclass, "description": "垃圾堆放", "lon": point[0], "lat": point[1]},
        source="resident",
    )
    return event_act(user=operator, event_id=event.pk, action="accept")


def _neighbour_grid() -> Area:
    grid = Area.objects.get(code=WENHUI_GRID)
    return Area.objects.filter(parent=grid.parent, kind="grid").exclude(pk=grid.pk).first()


def _dispatch_form(html: str) -> str:
    match = re.search(r'<form[^>]*data-action="dispatch".*?</form>', html, re.S)
    assert match, "the dispatch form is on the page"
    return match.group(0)


@pytest.mark.django_db
def test_a_worker_of_another_grid_is_shown_refused_and_cannot_be_offered(
    operator, resident, wenhui_point
):
    mine = _worker("mine", WENHUI_GRID, wenhui_point, last_name="张", first_name="三")
    other_grid = _neighbour_grid()
    # Standing beside the event, but answering for another grid.
    stranger = _worker("stranger", other_grid.code, wenhui_point, last_name="李", first_name="四")
    event = _filed(operator, resident, wenhui_point)

    panel = dispatch_panel(user=operator, event=event)
    verdicts = {w["id"]: (w["allowed"], w["reason"]) for w in panel["workers"]}
    assert verdicts[mine.pk] == (True, None)
    allowed, reason = verdicts[stranger.pk]
    assert not allowed
    assert other_grid.name in reason

    # Over the API too, per worker.
    api = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    answer = api.get(f"/api/v1/dispatch/events/{event.pk}").json()
    assert {w["id"]: w["allowed"] for w in answer["workers"]} == {
        mine.pk: True,
        stranger.pk: False,
    }
    assert all(("reason" in w) for w in answer["workers"])

    # On the page: no tickable box for the stranger, the reason beside the name.
    page = Client()
    page.force_login(operator)
    form = _dispatch_form(page.get(f"/events/{event.pk}/").content.decode())
    assert f'name="assignee_ids" value="{mine.pk}"' in form
    assert f'value="{stranger.pk}"' not in form
    card = re.search(
        rf'<label class="worker-card refused" data-worker="{stranger.pk}">.*?</label>', form, re.S
    )
    assert card
    assert "disabled" in card.group(0)
    assert "李四" in card.group(0)

    # A tick forged past the page is refused by the service, and nothing changes.
    with pytest.raises(DomainError):
        event_act(
            user=operator,
            event_id=event.pk,
            action="dispatch",
            data={"assignee_ids": [mine.pk, stranger.pk]},
        )
    assert not event.assignments.exists()
    posted = page.post(
        f"/events/{event.pk}/",
        {"action": "dispatch", "version": event.version, "assignee_ids": [stranger.pk]},
    )
    assert posted.status_code in (200, 302, 400)
    assert Event.objects.get(pk=event.pk).state == event.state


@pytest.mark.django_db
def test_off_the_admission_list_no_grid_worker_may_be_ticked(operator, resident, wenhui_point):
    mine = _worker("mine", WENHUI_GRID, wenhui_point)
    event = _filed(operator, resident, wenhui_point)
    Subclass.objects.filter(pk=event.subclass_id).update(in_grid_list=False)
    event = Event.objects.select_related("subclass", "area").get(pk=event.pk)

    (worker,) = dispatch_panel(user=operator, event=event)["workers"]
    assert worker["id"] == mine.pk
    assert worker["allowed"] is False
    assert event.subclass.name_zh in worker["reason"]
    page = Client()
    page.force_login(operator)
    form = _dispatch_form(page.get(f"/events/{event.pk}/").content.decode())
    assert 'name="assignee_ids"' not in form
    with pytest.raises(DomainError) as refused:
        event_act(
            user=operator, event_id=event.pk, action="dispatch", data={"assignee_ids": [mine.pk]}
        )
    assert refused.value.code == "not_in_grid_list"
