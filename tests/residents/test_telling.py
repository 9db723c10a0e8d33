"""Be told (issue 11): the reporter and the followers hear of each public step of the loop
in the inbox and by SMS, and of no internal step; an anonymous reporter is reached through
the account of the mobile they gave, a landline is not."""

# ruff: noqa: F811 (the fixtures imported from telling_helpers are used as arguments)

import django.test
import pytest

from gridgov.accounts.models import User
from gridgov.events.models import Event
from gridgov.notifications.models import Delivery, Notification
from gridgov.residents.identity import username_for_phone
from gridgov.residents.models import Follow
from tests.events.factories import photo_ref
from tests.residents.telling_helpers import (  # noqa: F401 (fixtures)
    _fresh_limits,
    gateway,
    loop,
    neighbour,
    reporter,
    shift_leader,
    sms,
    squad_handler,
)

PUBLIC_LOOP = ["resident_filed", "resident_dispatched", "resident_handled", "resident_closed"]


def _kinds(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind__startswith="resident_")
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_the_reporter_and_a_follower_are_told_at_each_public_step(
    loop, reporter, neighbour, sms, gateway, wenhui_point
):
    event = loop.report(reporter, wenhui_point)
    Follow.objects.create(event=event, user=neighbour, via=Follow.Via.ME_TOO)
    assert _kinds(reporter) == []  # the report itself is not told: they sent it

    told_after = {}
    photo = photo_ref(loop.people["squad_handler"])
    squad = loop.people["squad_handler"].department
    for who, action, kwargs in [
        ("operator", "accept", {}),
        ("operator", "dispatch", {"data": {"department_id": squad.pk}}),
        ("squad_handler", "take", {}),
        (
            "squad_handler",
            "request_extension",
            {"comment": "需要调机械", "data": {"extra_hours": 8}},
        ),
        ("shift_leader", "approve", {}),
        ("squad_handler", "feedback", {"comment": "内部备注：已清运", "data": {"photos": [photo]}}),
        ("grid_worker", "verify_pass", {}),
        ("shift_leader", "close", {}),
    ]:
        loop.act(who, action, **kwargs)
        told_after[action] = len(_kinds(reporter))

    assert _kinds(reporter) == PUBLIC_LOOP
    assert _kinds(neighbour) == PUBLIC_LOOP
    # Internal steps (take, the extension and its approval, verification) told nobody.
    assert told_after == {
        "accept": 1,
        "dispatch": 2,
        "take": 2,
        "request_extension": 2,
        "approve": 2,
        "feedback": 3,
        "verify_pass": 3,
        "close": 4,
    }
    texts = list(
        Notification.objects.filter(user=reporter, kind__startswith="resident_").values_list(
            "text", flat=True
        )
    )
    staff = [u.username for u in loop.people.values()]
    for text in texts:
        assert event.number in text
        assert not any(name in text for name in staff)
        assert "内部备注" not in text
        assert event.area.code not in text
    # One SMS delivery per person and step, sent to the gateway with the person's phone.
    deliveries = Delivery.objects.filter(
        notification__kind__startswith="resident_", channel=sms
    ).select_related("notification__user")
    assert deliveries.count() == 8
    assert {d.status for d in deliveries} == {"sent"}
    phones = sorted(body["phone"] for path, body, _h in gateway.received if path == "/sms")
    assert phones == ["13900000001"] * 4 + ["13900000002"] * 4


@pytest.mark.django_db
def test_a_refusal_tells_the_reason(loop, reporter, wenhui_point):
    loop.report(reporter, wenhui_point)
    loop.act("operator", "reject", comment="不属于受理范围，请拨打12345")
    (text,) = Notification.objects.filter(user=reporter, kind="resident_refused").values_list(
        "text", flat=True
    )
    assert "不属于受理范围，请拨打12345" in text
    assert loop.event.number in text


@pytest.mark.django_db
def test_a_reopened_report_is_told(loop, reporter, wenhui_point):
    loop.report(reporter, wenhui_point)
    loop.to_closed()
    loop.event = Event.objects.get(pk=loop.event.pk)
    from gridgov.events.services import event_act

    with loop.capture(execute=True):
        event_act(
            user=reporter,
            event_id=loop.event.pk,
            action="evaluate",
            data={"satisfaction": "dissatisfied"},
        )
    assert _kinds(reporter)[-1] == "resident_closed"  # their own rating is not told back
    loop.act("shift_leader", "reopen", comment="居民不满意")
    assert _kinds(reporter)[-1] == "resident_reopened"


@pytest.mark.django_db
def test_an_anonymous_reporter_with_a_mobile_is_reached_through_its_account(
    loop, sms, gateway, wenhui_point
):
    event = loop.report(None, wenhui_point, reporter_phone="139 0000 0009")
    account = User.objects.get(username=username_for_phone("13900000009"))
    assert account.role == "resident"
    assert not account.has_usable_password()
    assert account.phone == "13900000009"
    assert account.username != account.phone
    # Nobody signed in reported it: the phone's account is its reporter (it may rate it and
    # see its photos once the person signs in with a code sent to that phone).
    event.refresh_from_db()
    assert event.reporter == account
    assert not Follow.objects.filter(event=event).exists()
    loop.act("operator", "accept")
    assert _kinds(account) == ["resident_filed"]
    assert [body["phone"] for path, body, _h in gateway.received if path == "/sms"] == [
        "13900000009"
    ]
    # A second report with the same phone: the same account follows it.
    second = loop.report(None, wenhui_point, reporter_phone="+8613900000009")
    second.refresh_from_db()
    assert second.reporter == account
    assert User.objects.filter(phone="13900000009").count() == 1


@pytest.mark.django_db
def test_a_landline_or_a_staff_phone_is_not_reached(loop, operator, wenhui_point):
    loop.report(None, wenhui_point)  # no phone at all
    loop.event.reporter_phone = "0888-5123456"  # a landline (Open311 takes free text)
    Event.objects.filter(pk=loop.event.pk).update(reporter_phone="0888-5123456")
    from gridgov.residents.telling import reporter_phone_follow

    assert reporter_phone_follow(loop.event) is None
    User.objects.filter(pk=operator.pk).update(phone="13900000077")
    staff_phone = loop.report(None, wenhui_point, reporter_phone="13900000077")
    assert not Follow.objects.filter(event=staff_phone).exists()
    assert not User.objects.filter(username=username_for_phone("13900000077")).exists()
    loop.act("operator", "accept")
    assert not Notification.objects.filter(kind__startswith="resident_").exists()


@pytest.mark.django_db
def test_a_failing_receiver_never_breaks_the_loop(loop, reporter, wenhui_point, monkeypatch):
    from gridgov.residents import telling

    def broken(**kwargs):
        raise RuntimeError("the inbox is down")

    monkeypatch.setattr(telling, "event_told", broken)
    loop.report(reporter, wenhui_point)
    event = loop.act("operator", "accept")
    assert event.state == "filed"


@pytest.mark.django_db
def test_a_caller_on_the_hotline_is_told_through_the_phone_they_gave(loop, operator, wenhui_point):
    event = loop.report(operator, wenhui_point, reporter_phone="13900000010")
    assert event.reporter_id == operator.pk  # the operator took the call
    account = User.objects.get(username=username_for_phone("13900000010"))
    assert Follow.objects.get(event=event).user == account
    loop.act("operator", "accept")
    assert _kinds(account) == ["resident_filed"]
    assert not Notification.objects.filter(user=operator, kind__startswith="resident_").exists()


@pytest.mark.django_db
def test_only_the_reporter_is_asked_to_rate(loop, reporter, neighbour, wenhui_point):
    event = loop.report(reporter, wenhui_point)
    Follow.objects.create(event=event, user=neighbour, via=Follow.Via.ME_TOO)
    loop.to_closed()
    mine = Notification.objects.get(user=reporter, kind="resident_closed").text
    theirs = Notification.objects.get(user=neighbour, kind="resident_closed").text
    assert mine != theirs
    assert event.number in mine
    assert event.number in theirs


@pytest.mark.django_db
def test_a_refusal_reason_is_scrubbed_of_phones_and_staff_names(
    client, loop, reporter, wenhui_point
):
    loop.report(reporter, wenhui_point)
    worker = loop.people["grid_worker"].username
    loop.act(
        "operator", "reject", comment=f"联系 {worker} 16063005161，身份证号 53070219800101123X"
    )
    (text,) = Notification.objects.filter(user=reporter, kind="resident_refused").values_list(
        "text", flat=True
    )
    number = loop.event.number
    client.force_login(reporter)
    own = client.get(f"/api/v1/resident/reports/{number}").json()
    public = django.test.Client().get(f"/api/v1/public/reports/{number}")
    shown = [text, own["refusal_reason"], own["timeline"][-1]["text"]]
    if public.status_code == 200:
        shown.append(public.json()["timeline"][-1]["text"])
    for told in shown:
        assert "联系" in told, told
        for secret in (worker, "16063005161", "53070219800101123X"):
            assert secret not in told
    assert len(own["refusal_reason"]) <= 200


@pytest.mark.django_db
def test_a_long_refusal_reason_is_cut_short(client, loop, reporter, wenhui_point):
    loop.report(reporter, wenhui_point)
    loop.act("operator", "reject", comment="不属于受理范围" * 60)
    client.force_login(reporter)
    own = client.get(f"/api/v1/resident/reports/{loop.event.number}").json()
    assert 0 < len(own["refusal_reason"]) <= 200
