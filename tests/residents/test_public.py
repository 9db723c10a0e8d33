"""The public map and list (issue 11): only what the publication rule publishes and the
center did not hide, in moderated words, with approved photos only and a name only when
the reporter chose it."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from gridgov.events.models import Subclass, TimelineEntry
from gridgov.residents.models import Follow, PublicView
from gridgov.residents.moderation import public_view_moderate
from tests.residents.public_factories import photo_of, report

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/public/reports"


@pytest.fixture(autouse=True)
def _no_rate_counts():
    cache.clear()
    yield
    cache.clear()


def _around(client, point, **params):
    response = client.get(REPORTS, {"lon": point[0], "lat": point[1], "radius_m": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_public_report_answers_exactly_the_contract(wenhui_point, resident):
    event = report(wenhui_point, user=resident, description="井盖丢了 电话13908881234")
    Follow.objects.create(event=event, user=resident, via="reporter")
    (row,) = [r for r in _around(Client(), wenhui_point) if r["number"] == event.number]
    assert set(row) == {
        "number",
        "subclass_name",
        "public_text",
        "lon",
        "lat",
        "public_state",
        "reported_at",
        "closed_at",
        "photos",
        "reporter_name",
        "followers",
    }
    assert row["public_text"] == "井盖丢了 电话***"
    assert row["public_state"] == "received"
    assert row["photos"] == []
    assert row["reporter_name"] is None
    assert row["followers"] == 1
    # Rounded to about 100 m: the subclass is not a public facility.
    assert row["lon"] == round(event.lon, 3)
    assert row["lat"] == round(event.lat, 3)


def test_non_public_subclasses_and_hidden_reports_never_appear(wenhui_point, operator):
    shown = report(wenhui_point)
    private = report(wenhui_point, publication=Subclass.Publication.NONE)
    hidden = report(wenhui_point)
    public_view_moderate(user=operator, event_id=hidden.pk, hidden=True, hidden_reason="涉及隐私")
    client = Client()
    numbers = {r["number"] for r in _around(client, wenhui_point)}
    assert shown.number in numbers
    assert private.number not in numbers
    assert hidden.number not in numbers
    box = ",".join(
        str(v)
        for v in (
            wenhui_point[0] - 0.01,
            wenhui_point[1] - 0.01,
            wenhui_point[0] + 0.01,
            wenhui_point[1] + 0.01,
        )
    )
    in_box = {r["number"] for r in client.get(REPORTS, {"bbox": box}).json()}
    assert shown.number in in_box
    assert not {private.number, hidden.number} & in_box
    for number in (private.number, hidden.number):
        assert client.get(f"{REPORTS}/{number}").status_code == 404
    assert client.get(f"{REPORTS}/{shown.number}").status_code == 200


def test_filters_by_subclass_state_and_distance(wenhui_point, jinjia_point):
    near = report(wenhui_point)
    far = report(jinjia_point)
    client = Client()
    numbers = {r["number"] for r in _around(client, wenhui_point, radius_m=50)}
    assert near.number in numbers
    assert far.number not in numbers
    assert _around(client, wenhui_point, state="closed") == []
    assert near.number in {r["number"] for r in _around(client, wenhui_point, state="open")}
    other = Subclass.objects.exclude(pk=near.subclass_id).order_by("code")[0]
    assert _around(client, wenhui_point, subclass=other.code) == []


def test_bad_input_is_a_clear_400_or_422(wenhui_point):
    client = Client()
    assert client.get(REPORTS).status_code == 400
    assert client.get(REPORTS, {"bbox": "1,2,3"}).status_code == 400
    assert client.get(REPORTS, {"bbox": "100,20,101,21"}).status_code == 400  # too large
    radius = {"lon": wenhui_point[0], "lat": wenhui_point[1], "radius_m": 5001}
    assert client.get(REPORTS, radius).status_code == 422
    assert client.get(REPORTS, {"lon": 100, "lat": 26, "limit": 201}).status_code == 422


def test_only_approved_photos_are_listed_and_served(wenhui_point, operator):
    event = report(wenhui_point)
    approved, unapproved = photo_of(event), photo_of(event)
    client = Client()
    assert client.get(f"/r/public-photo/{approved.key}.jpg").status_code == 404
    public_view_moderate(
        user=operator, event_id=event.pk, hidden=False, approved_photos=[str(approved.key)]
    )
    detail = client.get(f"{REPORTS}/{event.number}").json()
    assert detail["photos"] == [f"/r/public-photo/{approved.key}.jpg"]
    response = client.get(detail["photos"][0])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(f"/r/public-photo/{unapproved.key}.jpg").status_code == 404
    # Once hidden, not even an approved photo is served.
    public_view_moderate(
        user=operator,
        event_id=event.pk,
        hidden=True,
        hidden_reason="核实中",
        approved_photos=[str(approved.key)],
    )
    assert client.get(f"/r/public-photo/{approved.key}.jpg").status_code == 404


def test_name_only_when_the_reporter_chose_it(wenhui_point, resident):
    event = report(wenhui_point, user=resident, reporter_name="和丽华")
    client = Client()
    assert client.get(f"{REPORTS}/{event.number}").json()["reporter_name"] is None
    signed_in = Client()
    signed_in.force_login(resident)
    url = f"/api/v1/resident/reports/{event.number}/publicity"
    response = signed_in.post(url, {"reporter_named": True}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["reporter_named"] is True
    assert client.get(f"{REPORTS}/{event.number}").json()["reporter_name"] == "和丽华"
    signed_in.post(url, {"reporter_named": False}, content_type="application/json")
    assert client.get(f"{REPORTS}/{event.number}").json()["reporter_name"] is None


def test_publicity_is_the_reporters_alone(wenhui_point, resident, operator):
    event = report(wenhui_point, user=resident, reporter_name="和丽华")
    other = Client()
    other.force_login(operator)
    url = f"/api/v1/resident/reports/{event.number}/publicity"
    response = other.post(url, {"reporter_named": True}, content_type="application/json")
    assert response.status_code == 404
    assert (
        Client().post(url, {"reporter_named": True}, content_type="application/json").status_code
        == 401
    )
    assert not PublicView.objects.filter(event=event).exists()


def test_public_timeline_has_public_steps_only(wenhui_point, operator):
    event = report(wenhui_point)
    detail = Client().get(f"{REPORTS}/{event.number}").json()
    assert detail["timeline"]
    assert all(set(s) == {"at", "label", "text"} for s in detail["timeline"])
    text = str(detail)
    assert operator.username not in text
    assert event.area.code not in text


@override_settings(GRIDGOV_PUBLIC_READS_PER_MINUTE=2)
def test_anonymous_reads_are_rate_limited(wenhui_point):
    client = Client()
    for _ in range(2):
        assert (
            client.get(REPORTS, {"lon": wenhui_point[0], "lat": wenhui_point[1]}).status_code == 200
        )
    response = client.get(REPORTS, {"lon": wenhui_point[0], "lat": wenhui_point[1]})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_public_timeline_shows_public_replies_scrubbed_not_internal_notes(wenhui_point, operator):
    event = report(wenhui_point)
    TimelineEntry.objects.create(
        event=event,
        actor=operator,
        action="accept",
        from_state="reported",
        to_state="filed",
        comment="内部备注: 网格员张三",
        data={"reply": "已受理，请拨打13908881234咨询"},
    )
    steps = Client().get(f"{REPORTS}/{event.number}").json()["timeline"]
    text = str(steps)
    assert "已受理，请拨打***咨询" in text
    assert "内部备注" not in text
    assert "13908881234" not in text


def test_the_reporter_reads_their_choice_from_the_resident_api_even_when_hidden(
    wenhui_point, operator
):
    from gridgov.accounts.models import User

    person = User.objects.create(username="r-named", role="resident")
    event = report(wenhui_point, user=person, reporter_name="和丽华")
    Follow.objects.get_or_create(event=event, user=person, defaults={"via": "reporter"})
    mine = Client()
    mine.force_login(person)
    own = f"/api/v1/resident/reports/{event.number}"
    assert mine.get(own).json()["reporter_named"] is False
    mine.post(f"{own}/publicity", {"reporter_named": True}, content_type="application/json")
    public_view_moderate(user=operator, event_id=event.pk, hidden=True, hidden_reason="核实中")
    assert Client().get(f"{REPORTS}/{event.number}").status_code == 404  # hidden publicly
    assert mine.get(own).json()["reporter_named"] is True  # the box shows the choice
    assert mine.get("/api/v1/resident/reports").json()[0]["reporter_named"] is True
    # Somebody else who follows it ("me too") is never told the reporter's choice.
    neighbour = User.objects.create(username="neighbour-named", role="resident")
    Follow.objects.create(event=event, user=neighbour, via="me_too")
    theirs = Client()
    theirs.force_login(neighbour)
    answer = theirs.get(own)
    assert answer.status_code == 200, answer.content
    assert answer.json()["reporter_named"] is False
