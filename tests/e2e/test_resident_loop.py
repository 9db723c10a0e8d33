# ruff: noqa: F811 (the spot fixture imported from test_resident is used as an argument)

"""The whole loop as a resident lives it on a phone (issue 11): signed in by an SMS code
(through a local test gateway), they report with a photo and a pin; at each public step of
the loop (filed, dispatched, handled, closed) a message is in their inbox and an SMS went
to their phone; they add a photo while it is open, rate it 基本满意 with a comment once it
is closed, and say "still not fixed" about another one with a photo."""

import re

import pytest

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from gridgov.events.models import Event, TimelineEntry
from gridgov.events.services import event_act, event_report
from gridgov.notifications.models import Channel, Delivery, Notification
from gridgov.residents.models import Addition
from tests.conftest import WENHUI_GRID
from tests.e2e.test_resident import PHONE, _drag_pin, _phone, _to_place, shot, spot  # noqa: F401
from tests.events.factories import photo_ref
from tests.notifications.test_channels import Gateway

pytestmark = pytest.mark.browser
STEPS = ["resident_filed", "resident_dispatched", "resident_handled", "resident_closed"]


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def staff(spot):
    def person(name: str, role: str, area_code: str) -> User:
        return User.objects.create(
            username=f"loop_{name}", role=role, area=Area.objects.get(code=area_code)
        )

    squad = person("squad", Role.DEPARTMENT_HANDLER, "530702001")
    squad.department = Department.objects.get(name="西安街道综合执法中队")
    squad.save(update_fields=["department"])
    return {
        "operator": person("operator", Role.OPERATOR, "530702"),
        "shift_leader": person("shift_leader", Role.SHIFT_LEADER, "530702"),
        "grid_worker": person("grid_worker", Role.GRID_WORKER, WENHUI_GRID),
        "squad": squad,
    }


def _sign_in_by_sms(page, gateway) -> User:
    page.goto(page.base_url + "/r/login/?next=/r/")
    page.fill("#login-phone", PHONE)
    page.click("#send-code")
    page.wait_for_selector("#login-code:not([disabled])")
    (body,) = [body for path, body, _h in gateway.received if path == "/sms"]
    assert body["phone"] == PHONE
    page.fill("#login-code", re.search(r"\d{6}", body["text"]).group(0))
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"^https?://[^/]+/r/$"))
    return User.objects.get(phone=PHONE, role=Role.RESIDENT)


def _told(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind__startswith="resident_")
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


def _sms_to(gateway, phone: str) -> int:
    return sum(
        1 for path, body, _h in gateway.received if path == "/sms" and body["phone"] == phone
    )


def _close(staff, event: Event) -> Event:
    squad = staff["squad"].department
    steps = [
        ("operator", "accept", {}),
        ("operator", "dispatch", {"data": {"department_id": squad.pk}}),
        ("squad", "take", {}),
        (
            "squad",
            "feedback",
            {"comment": "已清运", "data": {"photos": [photo_ref(staff["squad"])]}},
        ),
        ("grid_worker", "verify_pass", {}),
        ("shift_leader", "close", {}),
    ]
    for who, action, kwargs in steps:
        event = event_act(user=staff[who], event_id=event.pk, action=action, **kwargs)
    return event


def test_the_loop_on_a_phone_told_at_each_step(browser, live_server, spot, staff, gateway):
    Channel.objects.create(name="sms", kind="sms", url=gateway.url + "/sms")
    context, page = _phone(browser, live_server, spot)
    try:
        resident = _sign_in_by_sms(page, gateway)
        sms_before = _sms_to(gateway, PHONE)  # the code
        page.click("#go-report")
        _to_place(page, spot)
        page.click("#locate")
        page.wait_for_selector("#where-status:not(.r-warn)")
        _drag_pin(page, 10, 10)
        page.click("#to-words")
        page.fill("#description", "小区门口垃圾成堆，已经发臭")
        page.select_option("#subclass", "0102")
        page.click("#send")
        page.wait_for_selector("#done:not([hidden])")
        event = Event.objects.get(number=page.inner_text("#done-number").strip())
        assert event.reporter_id == resident.pk

        # Filed and dispatched: told in the inbox and by SMS.
        squad = staff["squad"].department
        event = event_act(user=staff["operator"], event_id=event.pk, action="accept")
        assert _told(resident) == STEPS[:1]
        event = event_act(
            user=staff["operator"],
            event_id=event.pk,
            action="dispatch",
            data={"department_id": squad.pk},
        )
        assert _told(resident) == STEPS[:2]
        event = event_act(user=staff["squad"], event_id=event.pk, action="take")

        # While it is open, the resident adds a photo; it reaches the handler.
        page.goto(page.base_url + f"/r/reports/{event.number}/")
        page.wait_for_selector("#add-form:not([hidden])")
        page.fill("#add-form textarea[name=text]", "今天又多了几袋")
        page.set_input_files("#add-form input[type=file]", str(spot["photo"]))
        page.click("#add-form button[type=submit]")
        page.wait_for_selector("#flash.r-flash-ok")
        addition = Addition.objects.get(event=event)
        assert addition.user_id == resident.pk
        assert len(addition.photo_keys) == 1
        shot(page, "loop-added-zh")

        event = event_act(
            user=staff["squad"],
            event_id=event.pk,
            action="feedback",
            comment="已清运",
            data={"photos": [photo_ref(staff["squad"])]},
        )
        assert _told(resident) == STEPS[:3]
        event = event_act(user=staff["grid_worker"], event_id=event.pk, action="verify_pass")
        event = event_act(user=staff["shift_leader"], event_id=event.pk, action="close")
        assert _told(resident) == STEPS
        assert _sms_to(gateway, PHONE) - sms_before == 4
        deliveries = Delivery.objects.filter(notification__user=resident, channel__kind="sms")
        assert deliveries.count() == 4
        assert {d.status for d in deliveries} == {"sent"}

        page.goto(page.base_url + "/r/inbox/")
        assert page.locator("#inbox li").count() >= 4
        assert page.locator(f"#inbox a[href='/r/reports/{event.number}/']").count() >= 4
        shot(page, "loop-inbox-zh")

        # Closed: rated 基本满意 with a comment; nothing was preselected.
        page.goto(page.base_url + f"/r/reports/{event.number}/")
        page.wait_for_selector("#rate-form:not([hidden]) input[name=satisfaction]")
        assert page.locator("#rate-form input[name=satisfaction]:checked").count() == 0
        page.check("#rate-form input[value=basically]")
        page.fill("#rate-form textarea[name=comment]", "清得还算及时，希望常来看看")
        shot(page, "loop-rate-zh")
        page.click("#rate-form button[type=submit]")
        page.wait_for_selector("#flash.r-flash-ok")
        event.refresh_from_db()
        assert event.satisfaction == "basically"
        page.wait_for_selector("#report .r-state-rated")  # the page read the report again
        text = page.inner_text("#report")
        assert "基本满意" in text
        # The comment is kept on the event's timeline (the public timeline shows the level).
        assert TimelineEntry.objects.filter(
            event=event, action="evaluate", comment__contains="清得还算及时"
        ).exists()
        shot(page, "loop-rated-zh")

        # Another report, closed: "still not fixed" with a photo sends it back to the center.
        grid = Area.objects.get(code=WENHUI_GRID)
        other = event_report(
            user=resident,
            data={
                "subclass": "0102",
                "description": "楼下垃圾桶坏了",
                "lon": spot["lon"],
                "lat": spot["lat"],
                "address": str(grid.name),
            },
            source="resident",
        )
        other = _close(staff, other)
        page.goto(page.base_url + f"/r/reports/{other.number}/")
        page.wait_for_selector("#reopen-form:not([hidden])")
        page.fill("#reopen-form textarea[name=text]", "垃圾桶还是坏的")
        page.set_input_files("#reopen-form input[type=file]", str(spot["photo"]))
        shot(page, "loop-reopen-zh")
        page.click("#reopen-form button[type=submit]")
        page.wait_for_selector("#flash.r-flash-ok")
        other.refresh_from_db()
        assert other.state not in ("closed", "evaluated")
        assert not page.script_errors, page.script_errors
    finally:
        context.close()
