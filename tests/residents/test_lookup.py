"""Follow a report by its number and phone, and the resident's own reports with a public
timeline (issue 11): the same 404 for every mismatch, no staff names, internal notes or grid
codes, and nobody else's reports."""

# ruff: noqa: F811 (the fixtures imported from telling_helpers are used as arguments)

import json

import pytest
from django.test import Client

from gridgov.events.triage import event_triage
from gridgov.residents.models import Follow
from gridgov.residents.selectors_timeline import STEP_LABELS
from tests.residents.telling_helpers import (  # noqa: F401 (fixtures)
    _fresh_limits,
    loop,
    neighbour,
    reporter,
    shift_leader,
    squad_handler,
)

LOOKUP = "/api/v1/resident/lookup"
L = {key: str(label) for key, label in STEP_LABELS.items()}
KEYS = {
    "number",
    "subclass_name",
    "description",
    "address",
    "lon",
    "lat",
    "state",
    "state_name",
    "public_state",
    "reported_at",
    "closed_at",
    "refusal_reason",
    "satisfaction",
    "can_rate",
    "can_reopen",
    "can_add",
    "following_via",
    "reporter_named",
    "photos",
    "timeline",
}


def _lookup(client: Client, number: str, phone: str):
    body = json.dumps({"number": number, "phone": phone})
    return client.post(LOOKUP, data=body, content_type="application/json")


@pytest.mark.django_db
def test_an_anonymous_report_is_found_by_its_number_and_phone(client, loop, wenhui_point):
    event = loop.report(None, wenhui_point, reporter_phone="13900000005")
    answer = _lookup(client, event.number, "139-0000-0005")
    assert answer.status_code == 200, answer.content
    report = answer.json()
    assert set(report) == KEYS
    assert report["number"] == event.number
    assert report["public_state"] == "received"
    assert report["description"] == event.description
    assert report["following_via"] is None
    assert (report["can_rate"], report["can_reopen"], report["can_add"]) == (False, False, False)
    assert [row["label"] for row in report["timeline"]] == [L["received"]]
    assert not Follow.objects.filter(user__phone="").exists()


@pytest.mark.django_db
def test_every_mismatch_is_the_same_404(client, loop, reporter, wenhui_point):
    event = loop.report(None, wenhui_point, reporter_phone="13900000005")
    mine = loop.report(reporter, wenhui_point)
    answers = [
        _lookup(client, event.number, "13900000006"),  # wrong phone
        _lookup(client, "20200101000001", "13900000005"),  # wrong number
        _lookup(client, event.number, "0888-5123456"),  # a landline
        _lookup(client, mine.number, "13900000005"),  # another report's number
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    # The reporter account's phone finds a signed-in report too.
    assert _lookup(client, mine.number, reporter.phone).status_code == 200


@pytest.mark.django_db
def test_a_signed_in_resident_follows_what_they_look_up(client, loop, neighbour, wenhui_point):
    event = loop.report(None, wenhui_point, reporter_phone="13900000005")
    client.force_login(neighbour)
    answer = _lookup(client, event.number, "13900000005")
    assert answer.json()["following_via"] == "lookup"
    assert answer.json()["can_add"] is True
    assert Follow.objects.get(event=event, user=neighbour).via == "lookup"
    assert _lookup(client, event.number, "13900000005").status_code == 200  # idempotent
    assert Follow.objects.filter(event=event).exclude(via="reporter").count() == 1
    listed = client.get("/api/v1/resident/reports").json()
    assert [r["number"] for r in listed] == [event.number]
    assert client.get(f"/api/v1/resident/reports/{event.number}").status_code == 200


@pytest.mark.django_db
def test_lookups_are_rate_limited_per_number(client, loop, settings, wenhui_point):
    settings.GRIDGOV_LOOKUPS_PER_NUMBER = "2/h"
    event = loop.report(None, wenhui_point, reporter_phone="13900000005")
    statuses = [_lookup(client, event.number, f"1390000000{i}").status_code for i in (1, 2, 5)]
    assert statuses == [404, 404, 429]


@pytest.mark.django_db
def test_my_reports_newest_first_and_nobody_elses(
    client, loop, reporter, neighbour, operator, wenhui_point
):
    first = loop.report(reporter, wenhui_point)
    second = loop.report(reporter, wenhui_point)
    followed = loop.report(None, wenhui_point)
    Follow.objects.create(event=followed, user=reporter, via=Follow.Via.ME_TOO)
    client.force_login(reporter)
    listed = client.get("/api/v1/resident/reports").json()
    assert [r["number"] for r in listed] == [followed.number, second.number, first.number]
    assert [r["following_via"] for r in listed] == ["me_too", "reporter", "reporter"]
    page = client.get(f"/api/v1/resident/reports?before={followed.number}&limit=1").json()
    assert [r["number"] for r in page] == [second.number]

    other = Client()
    other.force_login(neighbour)
    assert other.get("/api/v1/resident/reports").json() == []
    answer = other.get(f"/api/v1/resident/reports/{first.number}")
    assert answer.status_code == 404
    staff = Client()
    staff.force_login(operator)
    assert staff.get("/api/v1/resident/reports").status_code == 403
    assert Client().get("/api/v1/resident/reports").status_code == 401


@pytest.mark.django_db
def test_the_public_timeline_has_public_steps_and_replies_only(
    client, loop, reporter, operator, wenhui_point
):
    event = loop.report(reporter, wenhui_point)
    event_triage(
        user=operator,
        event_id=event.pk,
        urgency="urgent",
        public_reply="您好，已转相关部门",
        internal_note="内部：此人多次投诉",
    )
    loop.event = event
    loop.act("operator", "accept")
    loop.act(
        "operator", "dispatch", data={"department_id": loop.people["squad_handler"].department.pk}
    )
    loop.act("squad_handler", "return", comment="内部：不归我们")
    client.force_login(reporter)
    report = client.get(f"/api/v1/resident/reports/{event.number}").json()
    rows = [(row["label"], row["text"]) for row in report["timeline"]]
    assert rows == [
        (L["received"], ""),
        (L["reply"], "您好，已转相关部门"),
        (L["filed"], ""),
        (L["dispatched"], ""),
    ]
    text = json.dumps(report, ensure_ascii=False)
    for secret in ("内部", event.area.code, operator.username, "t_squad_handler"):
        assert secret not in text
    assert report["public_state"] == "filed"
    assert report["can_add"] is True
    assert report["can_rate"] is False


@pytest.mark.django_db
def test_a_refused_report_shows_the_reason_and_a_closed_one_may_be_rated(
    client, loop, reporter, neighbour, wenhui_point
):
    refused = loop.report(reporter, wenhui_point)
    loop.act("operator", "reject", comment="不属于受理范围")
    closed = loop.report(reporter, wenhui_point)
    loop.to_closed()
    Follow.objects.create(event=closed, user=neighbour, via=Follow.Via.ME_TOO)
    client.force_login(reporter)
    answer = client.get(f"/api/v1/resident/reports/{refused.number}").json()
    assert answer["public_state"] == "refused"
    assert answer["refusal_reason"] == "不属于受理范围"
    assert answer["timeline"][-1] == {
        "at": answer["timeline"][-1]["at"],
        "label": L["refused"],
        "text": "不属于受理范围",
    }
    assert answer["can_add"] is False
    answer = client.get(f"/api/v1/resident/reports/{closed.number}").json()
    assert (answer["public_state"], answer["can_rate"], answer["can_reopen"]) == (
        "closed",
        True,
        True,
    )
    assert len(answer["photos"]) == 0
    follower = Client()
    follower.force_login(neighbour)
    answer = follower.get(f"/api/v1/resident/reports/{closed.number}").json()
    assert (answer["can_rate"], answer["can_reopen"], answer["following_via"]) == (
        False,
        True,
        "me_too",
    )


@pytest.mark.django_db
def test_the_list_costs_the_same_few_queries_for_many_reports(
    client, loop, reporter, wenhui_point, django_assert_max_num_queries
):
    for _i in range(6):
        event = loop.report(reporter, wenhui_point)
        Follow.objects.create(event=event, user=loop.people["operator"], via="me_too")
    followed = loop.report(None, wenhui_point)
    Follow.objects.create(event=followed, user=reporter, via=Follow.Via.ME_TOO)
    client.force_login(reporter)
    client.get("/api/v1/resident/reports")  # the session, warmed
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/resident/reports").json()
    assert len(listed) == 7


@pytest.mark.django_db
def test_a_hotline_report_is_found_by_the_callers_phone_not_the_operators(
    client, loop, operator, wenhui_point
):
    from gridgov.accounts.models import User

    User.objects.filter(pk=operator.pk).update(phone="13900000077")
    event = loop.report(operator, wenhui_point, reporter_phone="13900000010")
    assert _lookup(client, event.number, "13900000077").status_code == 404
    assert _lookup(client, event.number, "13900000010").status_code == 200


@pytest.mark.django_db
def test_a_residents_public_addition_is_on_the_timeline(client, loop, reporter, wenhui_point):
    from gridgov.events.models import TimelineEntry

    event = loop.report(reporter, wenhui_point)
    TimelineEntry.objects.create(
        event=event,
        actor=reporter,
        action="resident_addition",
        from_state="reported",
        to_state="reported",
        comment="垃圾又多了",
        data={"public": True, "photos": []},
    )
    TimelineEntry.objects.create(
        event=event,
        action="resident_addition",
        from_state="reported",
        to_state="reported",
        comment="not marked public",
        data={},
    )
    client.force_login(reporter)
    report = client.get(f"/api/v1/resident/reports/{event.number}").json()
    assert [(r["label"], r["text"]) for r in report["timeline"]] == [
        (L["received"], ""),
        (L["added"], "垃圾又多了"),
    ]


@pytest.mark.django_db
def test_a_full_width_phone_is_the_same_phone(client, loop, wenhui_point):
    event = loop.report(None, wenhui_point, reporter_phone="13900000005")
    assert _lookup(client, event.number, "１３９ ００００ ０００５").status_code == 200
    assert _lookup(client, event.number, "١٣٩٠٠٠٠٠٠٠٥").status_code == 404  # other digits
