"""回访 (issue 11): the center of the event's area sees the reporter's phone masked, reveals it
to call (each reveal recorded), and records what the call brought, a rating included."""

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from gridgov.accounts.models import PiiAccess
from gridgov.accounts.roles import Role
from gridgov.events.models import TimelineEntry
from gridgov.residents.models import Callback
from tests.conftest import JINJIA, _persona
from tests.residents.actions_helpers import (
    center_person,
    reported,
    resident_named,
    set_state,
    snapshot,
)

PHONE = "13908881234"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def desk(event, what: str) -> str:
    return f"/api/v1/resident/desk/{event.pk}/{what}"


@pytest.fixture
def event(wenhui_point):
    return reported(resident_named("cb_rep"), wenhui_point, reporter_phone=PHONE)


@pytest.fixture
def outsiders(db, grid_worker, community_staff):
    return [
        center_person("jinjia_operator", Role.OPERATOR, JINJIA),
        center_person("jinjia_shift", Role.SHIFT_LEADER, JINJIA),
        grid_worker,
        community_staff,
        _persona("cb_leader", Role.LEADER, "530702"),
        resident_named("cb_other"),
    ]


@pytest.mark.django_db
def test_the_center_reveals_the_phone_and_each_reveal_is_recorded(event, operator):
    answer = client_of(operator).get(desk(event, "reporter-phone"))
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"phone": PHONE}
    read = PiiAccess.objects.get(user=operator)
    assert (read.model, read.object_ids, read.fields, read.channel) == (
        "events.event",
        [event.pk],
        ["reporter_phone"],
        "api",
    )
    shift = center_person("cb_shift")
    assert client_of(shift).get(desk(event, "reporter-phone")).json() == {"phone": PHONE}
    assert PiiAccess.objects.count() == 2


@pytest.mark.django_db
def test_the_account_phone_when_none_was_given(wenhui_point, operator):
    reporter = resident_named("cb_acc", "13700001111")
    event = reported(reporter, wenhui_point)
    assert client_of(operator).get(desk(event, "reporter-phone")).json() == {"phone": "13700001111"}


@pytest.mark.django_db
def test_nobody_else_sees_the_phone_nor_the_callbacks(event, outsiders, operator):
    Callback.objects.create(event=event, by=operator, reached=True, result="已联系")
    for user in [*outsiders, event.reporter]:
        client = client_of(user)
        assert client.get(desk(event, "reporter-phone")).status_code == 404, user
        assert client.get(desk(event, "callbacks")).status_code == 404, user
        answer = client.post(
            desk(event, "callbacks"), {"reached": True}, content_type="application/json"
        )
        assert answer.status_code == 404, user
    assert Client().get(desk(event, "reporter-phone")).status_code == 401
    assert not PiiAccess.objects.exists()
    assert Callback.objects.count() == 1


@pytest.mark.django_db
def test_a_callback_with_a_rating_on_a_closed_report_rates_it(event, operator):
    set_state(event, "closed")
    answer = client_of(operator).post(
        desk(event, "callbacks"),
        {"reached": True, "result": "居民说基本解决了", "satisfaction": "basically"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["by"], body["reached"], body["satisfaction"]) == (
        operator.username,
        True,
        "basically",
    )
    event.refresh_from_db()
    assert (event.state, event.satisfaction) == ("evaluated", "basically")
    step = TimelineEntry.objects.get(event=event, action="evaluate_callback")
    assert step.data == {"satisfaction": "basically", "callback": True}
    listed = client_of(operator).get(desk(event, "callbacks")).json()
    assert [c["result"] for c in listed] == ["居民说基本解决了"]


@pytest.mark.django_db
def test_a_callback_on_an_open_report_keeps_its_rating_alone(event, operator):
    set_state(event, "dispatched")
    before = snapshot(event)
    answer = client_of(operator).post(
        desk(event, "callbacks"),
        {"reached": True, "result": "还在处理", "satisfaction": "dissatisfied"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert snapshot(event) == before
    assert Callback.objects.get(event=event).satisfaction == "dissatisfied"


@pytest.mark.django_db
def test_bad_callbacks_are_refused_and_leave_nothing(event, operator):
    set_state(event, "closed")
    cases = [
        ({"reached": False, "satisfaction": "satisfied"}, 400),  # nobody answered: no rating
        ({"reached": True, "result": "x" * 1001}, 400),
        ({"reached": True, "result": "x" * 20_000}, 422),
        ({"reached": True, "satisfaction": "great"}, 422),
        ({"result": "没说接通与否"}, 422),
    ]
    for body, status in cases:
        before = snapshot(event)
        answer = client_of(operator).post(
            desk(event, "callbacks"), body, content_type="application/json"
        )
        assert answer.status_code == status, (body, answer.content)
        assert snapshot(event) == before
    assert not Callback.objects.exists()
    assert client_of(operator).get("/api/v1/resident/desk/99999999/callbacks").status_code == 404


@pytest.mark.django_db
def test_the_panel_shows_the_masked_phone_to_the_center_only(event, operator, grid_worker):
    Callback.objects.create(event=event, by=operator, reached=False, result="无人接听")
    template = Template("{% load resident_callback %}{% resident_callback_panel event %}")

    def panel(user) -> str:
        request = RequestFactory().get(f"/events/{event.pk}/")
        request.user = user
        return template.render(Context({"request": request, "event": event}))

    html = panel(operator)
    assert "139****1234" in html
    assert PHONE not in html
    assert "无人接听" in html
    assert f"/api/v1/resident/desk/{event.pk}/reporter-phone" in html
    assert f"/r/desk/{event.pk}/callbacks/" in html
    assert panel(grid_worker).strip() == ""
    assert not PiiAccess.objects.exists()  # showing the mask reads nothing


@pytest.mark.django_db
def test_the_panels_form_records_a_callback(event, operator, grid_worker):
    set_state(event, "closed")
    page = client_of(operator).get(f"/events/{event.pk}/")
    assert page.status_code == 200
    assert "139****1234" in page.content.decode()
    answer = client_of(operator).post(
        f"/r/desk/{event.pk}/callbacks/",
        {"reached": "1", "result": "满意", "satisfaction": "very_satisfied"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/events/{event.pk}/"
    event.refresh_from_db()
    assert event.satisfaction == "very_satisfied"
    refused = client_of(grid_worker).post(f"/r/desk/{event.pk}/callbacks/", {"reached": "1"})
    assert refused.status_code == 404
    assert Callback.objects.count() == 1
    assert client_of(operator).get(f"/r/desk/{event.pk}/callbacks/").status_code == 405


@pytest.mark.django_db
def test_the_panel_lists_the_satisfaction_by_its_label(event, operator):
    from django.utils import translation

    from gridgov.events.models import Satisfaction

    Callback.objects.create(event=event, by=operator, reached=True, satisfaction="satisfied")
    request = RequestFactory().get(f"/events/{event.pk}/")
    request.user = operator
    template = Template("{% load resident_callback %}{% resident_callback_panel event %}")
    with translation.override("zh-hans"):
        html = template.render(Context({"request": request, "event": event}))
        label = str(Satisfaction("satisfied").label)
    (listed,) = [line for line in html.splitlines() if '<ol class="callbacks">' in line]
    assert f"· {label}" in listed
    assert "satisfied" not in listed
