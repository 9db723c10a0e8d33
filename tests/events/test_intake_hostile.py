"""Hostile input at intake (issue 8, item 8): resent and raced client UUIDs, a source the
caller may not choose, characters XML forbids."""

import threading
import time
import uuid

import pytest
from django.db import OperationalError, connection

from gridgov.common.errors import Conflict, DomainError
from gridgov.events.models import Event, TimelineEntry
from gridgov.events.services import event_act, event_report, intake, whistle_blow
from tests.conftest import JINJIA, _persona
from tests.events.conftest import report_data

SENDS = 4


def _send_at_once(monkeypatch, senders: list, key: str) -> list:
    """Each sender reports with `key` from its own thread; all pass the look-up for an
    existing event before any of them stores (a barrier in between), as on a busy server."""
    barrier = threading.Barrier(len(senders), timeout=20)
    real = intake.likely_duplicate

    def after_the_look_up(**kwargs):
        barrier.wait()
        return real(**kwargs)

    monkeypatch.setattr(intake, "likely_duplicate", after_the_look_up)
    results: list = [None] * len(senders)

    def send(index: int, user, point) -> None:
        try:
            for _attempt in range(50):
                try:
                    results[index] = event_report(
                        user=user, data=report_data(point, client_uuid=key), source="worker"
                    )
                    return
                except OperationalError as error:
                    # The in-memory SQLite of the tests locks whole tables between
                    # connections (a file database waits instead): the phone sends again.
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.05)
        except Exception as error:  # noqa: BLE001 (the test asserts what each send got)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *s)) for i, s in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.setattr(intake, "likely_duplicate", real)
    return results


@pytest.mark.django_db(transaction=True)
def test_parallel_sends_of_one_client_uuid_store_it_once_and_never_500(
    demo_city, monkeypatch, wenhui_point, jinjia_point
):
    # One transactional test (each one reloads the demo city after the flush).
    worker = _persona("grid_worker", "grid_worker", "530702001002001")
    key = str(uuid.uuid4())
    results = _send_at_once(monkeypatch, [(worker, wenhui_point)] * SENDS, key)
    assert all(isinstance(r, Event) for r in results), results
    assert {r.pk for r in results} == {Event.objects.get().pk}
    assert Event.objects.get().client_uuid == uuid.UUID(key)
    assert TimelineEntry.objects.count() == 1

    # Someone who may not see the event sends the same UUID at the same moment (and the
    # other way round, whoever wins): a 409 that does not name the event.
    stranger = _persona("stranger", "area_staff", JINJIA)
    key = str(uuid.uuid4())
    results = _send_at_once(monkeypatch, [(worker, wenhui_point), (stranger, jinjia_point)], key)
    stored = Event.objects.get(client_uuid=key)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Event"], results
    (conflict,) = [r for r in results if isinstance(r, Conflict)]
    assert (conflict.status, conflict.field) == (409, "client_uuid")
    assert stored.number not in conflict.message
    assert Event.objects.count() == 2


def _stored_meanwhile(monkeypatch, user, point, key: str) -> None:
    """Between this send's look-up of `key` and its insert, `user` stores a report with the
    same key (what a parallel request does, in one thread: no table locks involved)."""
    real = intake.likely_duplicate
    pending = [True]

    def another_send_first(**kwargs):
        if pending:
            pending.clear()
            real_report(user=user, data=report_data(point, client_uuid=key), source="worker")
        return real(**kwargs)

    real_report = intake.event_report
    monkeypatch.setattr(intake, "likely_duplicate", another_send_first)


@pytest.mark.django_db
def test_the_send_that_loses_the_race_gets_the_event_or_a_409(
    monkeypatch, grid_worker, resident, wenhui_point
):
    key = str(uuid.uuid4())
    _stored_meanwhile(monkeypatch, grid_worker, wenhui_point, key)
    event = event_report(user=grid_worker, data=report_data(wenhui_point, client_uuid=key))
    assert event == Event.objects.get(client_uuid=key)
    assert Event.objects.count() == 1

    key = str(uuid.uuid4())
    _stored_meanwhile(monkeypatch, grid_worker, wenhui_point, key)
    with pytest.raises(Conflict) as error:
        event_report(user=resident, data=report_data(wenhui_point, client_uuid=key))
    assert error.value.code == "client_uuid_taken"
    assert Event.objects.get(client_uuid=key).number not in error.value.message
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_a_taken_uuid_never_reveals_the_event(grid_worker, reporter, resident, wenhui_point):
    key = str(uuid.uuid4())
    mine = event_report(user=reporter, data=report_data(wenhui_point, client_uuid=key))
    again = event_report(user=reporter, data=report_data(wenhui_point, client_uuid=key))
    assert again.pk == mine.pk
    for stranger in (resident, None):
        with pytest.raises(Conflict) as error:
            event_report(user=stranger, data=report_data(wenhui_point, client_uuid=key))
        assert error.value.code == "client_uuid_taken"
        assert mine.number not in error.value.message
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "area", "asked", "stored"),
    [
        ("resident", None, "camera", "resident"),
        ("resident", None, "hotline", "resident"),
        ("grid_worker", "530702001002001", "hotline", "worker"),
        ("grid_worker", "530702001002001", "open311", "worker"),
        ("operator", "530702", "worker", "hotline"),
        ("operator", "530702", "camera", "hotline"),
        ("operator", "530702", "referral", "referral"),
        ("area_staff", "530702001002", "referral", "referral"),
        ("area_staff", "530702001002", "hotline", "worker"),
    ],
)
@pytest.mark.django_db
def test_the_source_follows_the_role_not_the_request(role, area, asked, stored, wenhui_point):
    user = _persona(f"source_{role}", role, area)
    event = event_report(user=user, data=report_data(wenhui_point), source=asked)
    assert event.source == stored
    assert event.timeline.get().data["source"] == stored


@pytest.mark.django_db
def test_an_anonymous_report_is_a_residents(wenhui_point):
    from django.contrib.auth.models import AnonymousUser

    assert event_report(
        user=AnonymousUser(), data=report_data(wenhui_point), source="camera"
    ).source == ("resident")
    assert event_report(user=None, data=report_data(wenhui_point), source="camera").source == (
        "camera"
    )  # intake code that checked the camera's signature


FORBIDDEN = "\x0b\x0c\x00\x1f\ufffe\uffff"


@pytest.mark.django_db
def test_characters_xml_forbids_are_dropped_at_intake(
    reporter, operator, community_staff, street_squad, wenhui_point
):
    event = event_report(
        user=reporter,
        data=report_data(
            wenhui_point,
            description=f"垃圾{FORBIDDEN}堆放\t两天",
            address=f"文汇路{FORBIDDEN}18号",
            reporter_name=f"和{FORBIDDEN}先生",
            extra={f"k{FORBIDDEN}": [f"v{FORBIDDEN}"]},
        ),
        source="resident",
    )
    assert (event.description, event.address, event.reporter_name) == (
        "垃圾堆放\t两天",
        "文汇路18号",
        "和先生",
    )
    assert event.extra["k"] == ["v"]
    event_act(user=operator, event_id=event.pk, action="accept", comment=f"立案{FORBIDDEN}")
    assert event.timeline.last().comment == "立案"
    whistle = whistle_blow(
        user=community_staff,
        event_id=event.pk,
        level="community",
        department_ids=[street_squad.pk],
        reason=f"需要{FORBIDDEN}协助",
    )
    assert whistle.reason == "需要协助"


@pytest.mark.parametrize(
    "extra",
    [
        {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}},
        {"note": "x" * 9000},
        ["not", "an", "object"],
    ],
)
@pytest.mark.django_db
def test_extra_fields_are_bounded(reporter, wenhui_point, extra):
    with pytest.raises(DomainError) as error:
        event_report(user=reporter, data=report_data(wenhui_point, extra=extra))
    assert (error.value.status, error.value.field) == (400, "extra")
    assert not Event.objects.exists()
