"""The queue per role (issue 10): the department inbox shows only the department's events,
grid workers find their tasks under "My tasks", three sorts each with its own cursor, and the
supervised (督办) and urgent filters."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.demo.events_bulk import events_generate
from gridgov.events import keyset, selectors
from gridgov.events.models import Assignment, Event, Subclass, Summons, Whistle
from gridgov.events.services import event_act, event_report
from tests.events.conftest import report_data

URGENCY_RANK = {"critical": 0, "urgent": 1, "normal": 2}
FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def walk(client: Client, sort: str, limit: int = 7, **filters) -> list[int]:
    """Every id of the API's queue in `sort`, page by page through the cursors."""
    seen, cursor = [], None
    while True:
        query = {"limit": limit, "sort": sort, **filters, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/events/", query)
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def expected_order(user, sort: str) -> list[int]:
    rows = list(
        selectors.events_queue(user=user, filters={}).values(
            "id", "reported_at", "stage_due_at", "urgency"
        )
    )

    def by_deadline(row):
        due = row["stage_due_at"]
        # Soonest deadline first (id breaks ties); without one, newest first after them.
        if due is not None:
            return (0, due, row["id"])
        return (1, FAR - row["reported_at"], -row["id"])

    if sort == "new":
        rows.sort(key=lambda r: (r["reported_at"], r["id"]), reverse=True)
    elif sort == "deadline":
        rows.sort(key=by_deadline)
    else:
        rows.sort(key=lambda r: (URGENCY_RANK[r["urgency"]], *by_deadline(r)))
    return [r["id"] for r in rows]


@pytest.mark.django_db
def test_the_department_inbox_shows_only_the_departments_events(
    operator, squad_handler, street_squad, district_bureau, reporter, wenhui_point
):
    dispatched = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    summoned = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    elsewhere = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    own = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    for event, department in ((dispatched, street_squad), (elsewhere, district_bureau)):
        event_act(user=operator, event_id=event.pk, action="accept")
        event_act(
            user=operator,
            event_id=event.pk,
            action="dispatch",
            data={"department_id": department.pk},
        )
    event_act(user=operator, event_id=summoned.pk, action="accept")
    whistle = Whistle.objects.create(event=summoned, level="community", by=operator, reason="r")
    Summons.objects.create(whistle=whistle, department=street_squad, check_in_due_at=timezone.now())
    # The handler once reported something themselves: theirs to follow, not the inbox's.
    Event.objects.filter(pk=own.pk).update(reporter=squad_handler)
    client = signed_in(squad_handler)
    inbox = {item["id"] for item in client.get("/api/v1/events/").json()["items"]}
    assert inbox == {dispatched.pk, summoned.pk}
    page = client.get("/events/").content.decode()
    assert dispatched.number in page
    assert summoned.number in page
    assert elsewhere.number not in page
    assert own.number not in page
    # "My tasks" of a department: dispatched and whistled to it alike.
    mine = client.get("/api/v1/events/?mine=true").json()["items"]
    assert {item["id"] for item in mine} == {dispatched.pk, summoned.pk}
    # Opening their own report still works: only the work list leaves it out.
    assert client.get(f"/api/v1/events/{own.pk}").status_code == 200


@pytest.mark.django_db
def test_a_grid_workers_tasks_include_offers_not_yet_answered(
    operator, grid_worker, reporter, wenhui_point
):
    offered = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    other = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    Assignment.objects.create(event=offered, worker=grid_worker, status="offered")
    client = signed_in(grid_worker)
    mine = {item["id"] for item in client.get("/api/v1/events/?mine=true").json()["items"]}
    assert mine == {offered.pk}
    everything = {item["id"] for item in client.get("/api/v1/events/").json()["items"]}
    assert {offered.pk, other.pk} <= everything
    page = client.get("/events/?mine=1").content.decode()
    assert offered.number in page
    assert other.number not in page


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["new", "deadline", "urgency"])
def test_each_sort_pages_through_every_event_once_in_its_order(operator, sort):
    events_generate(count=90, days=20, seed=11)
    # Ties on the deadline are broken by id, on both sides of a page boundary.
    tied = list(Event.objects.filter(stage_due_at__isnull=False).order_by("pk")[:6])
    Event.objects.filter(pk__in=[e.pk for e in tied]).update(stage_due_at=tied[0].stage_due_at)
    expected = expected_order(operator, sort)
    assert len(expected) == 90
    client = signed_in(operator)
    assert walk(client, sort) == expected
    assert walk(client, sort, limit=50) == expected
    if sort != "new":
        assert expected != expected_order(operator, "new")
    # The page walks the same order, its links keeping the sort.
    html = client.get(f"/events/?sort={sort}").content.decode()
    numbers = dict(Event.objects.values_list("pk", "number"))
    positions = [html.index(numbers[pk]) for pk in expected[:30]]
    assert positions == sorted(positions)
    older = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', html).group(1)
    assert f"sort={sort}" in older
    second = client.get("/events/?" + older.replace("&amp;", "&")).content.decode()
    assert numbers[expected[30]] in second
    assert numbers[expected[29]] not in second


@pytest.mark.django_db
def test_a_cursor_of_another_sort_is_a_clear_400(operator):
    events_generate(count=20, days=5, seed=12)
    client = signed_in(operator)
    cursors = {
        sort: client.get(f"/api/v1/events/?limit=3&sort={sort}").json()["next_cursor"]
        for sort in ("new", "deadline", "urgency")
    }
    assert len(set(cursors.values())) == 3
    for sort, cursor in cursors.items():
        for other in {"new", "deadline", "urgency"} - {sort}:
            api = client.get(
                f"/api/v1/events/?sort={other}&cursor={cursor}", HTTP_ACCEPT_LANGUAGE="en"
            )
            assert api.status_code == 400
            assert api.json()["field"] == "cursor"
            assert "another sort" in api.json()["message"]
            page = client.get(f"/events/?sort={other}&after={cursor}", HTTP_ACCEPT_LANGUAGE="en")
            assert page.status_code == 400
            assert "another sort" in page.content.decode()
            # The first page of that sort, filters kept, is offered.
            assert f'href="/events/?sort={other}"' in page.content.decode()
    assert client.get("/api/v1/events/?sort=oldest").status_code == 422
    assert client.get("/events/?sort=oldest").status_code == 400
    assert client.get("/api/v1/events/?sort=deadline&cursor=d9_1_1").status_code == 400


def test_sorted_cursors_round_trip_and_name_their_stretch():
    moment = timezone.now()
    for sort, segment in (("deadline", 1), ("urgency", 5), ("new", 0)):
        cursor = keyset.Cursor(moment, 42, sort, segment)
        assert keyset.Cursor.decode(cursor.encode(), sort) == cursor
    assert re.fullmatch(r"[0-9_]+", keyset.Cursor(moment, 1).encode())


@pytest.mark.django_db
def test_the_supervised_and_urgent_filters(operator, reporter, wenhui_point):
    plain = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    watched = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    Event.objects.filter(pk=watched.pk).update(supervised=True)
    client = signed_in(operator)
    supervised = client.get("/api/v1/events/?supervised=true").json()["items"]
    assert [item["id"] for item in supervised] == [watched.pk]
    page = client.get("/events/?supervised=1").content.decode()
    assert watched.number in page
    assert plain.number not in page
    if not hasattr(Subclass, "urgent"):
        return
    gas = Subclass.objects.exclude(pk=plain.subclass_id).first()
    Subclass.objects.filter(pk=gas.pk).update(urgent=True)
    Event.objects.filter(pk=watched.pk).update(subclass=gas)
    urgent = client.get("/api/v1/events/?urgent=true").json()["items"]
    assert [item["id"] for item in urgent] == [watched.pk]
    assert urgent[0]["urgent"] is True
    page = client.get("/events/?urgent=1").content.decode()
    assert watched.number in page
    assert plain.number not in page
    assert 'class="alarm"' in page
    # Unfiltered, only the urgent row carries the alarm.
    assert client.get("/events/").content.decode().count('class="alarm"') == 1


@pytest.mark.django_db
def test_the_rates_above_the_queue_are_kept_a_few_seconds_per_user(
    operator, community_staff, settings, monkeypatch
):
    from django.core.cache import cache

    from gridgov.events import views

    settings.GRIDGOV_QUEUE_SUMMARY_SECONDS = 60
    cache.clear()
    computed = []
    real = views.rates_report

    def counted(**kwargs):
        computed.append(kwargs["user"].pk)
        return real(**kwargs)

    monkeypatch.setattr(views, "rates_report", counted)
    events_generate(count=40, days=5, seed=13)
    operator_client = signed_in(operator)
    for _ in range(3):
        assert operator_client.get("/events/").status_code == 200
    assert computed == [operator.pk]
    # Another user (another scope) never reads the operator's.
    assert signed_in(community_staff).get("/events/").status_code == 200
    assert computed == [operator.pk, community_staff.pk]
    # The total beyond a page is kept too, the same on every page and sort.
    api = [operator_client.get(f"/api/v1/events/?limit=5&sort={s}").json() for s in keyset.SORTS]
    assert len({(page["count"], page["count_exact"]) for page in api}) == 1
    cache.clear()
