"""Asking for reports, making them, listing and downloading them, subscriptions and the
inbox: who may, inside which area, and that a refused request changes nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, NotFound, OutOfScope, PermissionDenied
from gridgov.notifications.models import Notification
from gridgov.reports import services
from gridgov.reports.models import Report, Subscription
from gridgov.reports.services import report_file
from tests.conftest import WENHUI

API = "/api/v1/reports"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _made(user: User, area: str = "530702", date: str = "2026-03", now=None) -> Report:
    report = services.report_request(user=user, area_code=area, kind="month", date=date)
    assert services.report_run(report_id=report.pk, now=now) is True
    report.refresh_from_db()
    return report


def test_a_leader_asks_and_the_queue_makes_both_files(leader, district):
    report = services.report_request(user=leader, area_code="530702", kind="month", date="2026-03")
    assert (report.status, report.start, report.end) == (
        "queued",
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
    )
    assert services.report_run(report_id=report.pk, now=district["now"]) is True
    # A second consumer handed the same task leaves it alone (compare-and-swap).
    assert services.report_run(report_id=report.pk) is False
    report.refresh_from_db()
    assert report.status == "done"
    assert report.pdf_bytes == report_file(report, "pdf").stat().st_size
    book = load_workbook(report_file(report, "xlsx"))
    assert book.worksheets[1].cell(row=5, column=3).value == 1  # the other street: 1 reported
    # Asked again after its period ended and made: the same report, not a new job.
    again = services.report_request(
        user=leader, area_code="530702", kind="month", date="2026-03-15"
    )
    assert again.pk == report.pk
    assert again.status == "done"
    assert Report.objects.count() == 1


def test_a_report_made_before_its_period_ended_is_made_again(leader, district):
    today = timezone.localdate()
    report = services.report_request(
        user=leader, area_code="530702", kind="year", date=str(today.year)
    )
    services.report_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "done"
    again = services.report_request(
        user=leader, area_code="530702", kind="year", date=str(today.year)
    )
    assert (again.pk, again.status) == (report.pk, "queued")


@pytest.mark.parametrize(
    ("persona", "area", "error"),
    [
        ("street_staff", "530702", OutOfScope),  # a street's staff: not the district
        ("street_staff", "530702205", OutOfScope),  # nor another street
        ("grid_worker", "530702001", PermissionDenied),
        ("resident", "530702", PermissionDenied),
        ("squad_handler", "530702001", PermissionDenied),
        ("party_secretary", "530702001", PermissionDenied),
        ("leader", "999999", NotFound),
        ("leader", WENHUI, DomainError),  # a community: reports are district and street ones
    ],
)
def test_who_may_not_ask(request, district, persona, area, error):
    user = request.getfixturevalue(persona)
    with pytest.raises(error):
        services.report_request(user=user, area_code=area, kind="month", date="2026-03")
    assert not Report.objects.exists()


def test_a_period_not_begun_is_refused(leader, db):
    with pytest.raises(DomainError) as raised:
        services.report_request(user=leader, area_code="530702", kind="year", date="2099")
    assert raised.value.field == "date"
    assert not Report.objects.exists()


def test_street_staff_list_and_download_their_streets_reports_only(leader, street_staff, district):
    district_report = _made(leader, "530702", now=district["now"])
    street_report = _made(street_staff, "530702001", now=district["now"])
    other = _made(leader, district["other"], now=district["now"])
    listed = _client(street_staff).get(API + "/").json()
    assert [r["id"] for r in listed] == [street_report.pk]
    assert {r["id"] for r in _client(leader).get(API + "/").json()} == {
        district_report.pk,
        street_report.pk,
        other.pk,
    }
    street = _client(street_staff)
    assert street.get(f"{API}/{district_report.pk}").status_code == 404
    assert street.get(f"/reports/{other.pk}/report.pdf").status_code == 404
    answer = street.get(f"/reports/{street_report.pk}/report.pdf")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    assert street.get(f"/reports/{street_report.pk}/report.exe").status_code == 404
    assert street.get(f"/reports/{2**70}/report.pdf").status_code == 404


def test_api_flow_and_bad_input(leader, district):
    client = _client(leader)
    answer = client.post(
        API + "/",
        {"area": "530702", "period": "month", "date": "2026-03"},
        content_type="application/json",
    )
    assert answer.status_code == 202
    body = answer.json()
    assert (body["status"], body["key"], body["pdf"]) == ("queued", "2026-03", None)
    assert client.get(f"/reports/{body['id']}/report.pdf").status_code == 409  # not made yet
    services.report_run(report_id=body["id"], now=district["now"])
    got = client.get(f"{API}/{body['id']}").json()
    assert got["pdf"] == f"/reports/{body['id']}/report.pdf"
    for bad in (
        {"area": "530702", "period": "month", "date": "2026-13"},
        {"area": "530702", "period": "month", "date": "2099-01"},
        {"area": WENHUI, "period": "month", "date": "2026-03"},
    ):
        answer = client.post(API + "/", bad, content_type="application/json")
        assert answer.status_code == 400, bad
        assert set(answer.json()) >= {"code", "message", "field"}
    assert client.post(
        API + "/",
        {"area": "530702", "period": "fortnight", "date": "2026"},
        content_type="application/json",
    ).status_code in (400, 422)
    assert Report.objects.count() == 1


def test_subscribers_are_told_once_and_only_those_who_may_read(leader, street_staff, district):
    street = "530702001"
    services.subscription_set(user=leader, area_code=street, kind="month", subscribed=True)
    services.subscription_set(user=street_staff, area_code=street, kind="month", subscribed=True)
    # A subscriber moved to another street since: told nothing of 西安's report.
    moved = User.objects.create(
        username="t_moved", role=Role.AREA_STAFF, area=Area.objects.get(code=street)
    )
    services.subscription_set(user=moved, area_code=street, kind="month", subscribed=True)
    moved.area = Area.objects.get(code=district["other"])
    moved.save(update_fields=["area"])
    queued = services.reports_due(today=dt.date(2026, 4, 2))  # March has ended
    assert len(queued) == 1
    report = Report.objects.get(pk=queued[0])
    assert (report.area.code, report.kind, report.start) == (street, "month", dt.date(2026, 3, 1))
    services.report_run(report_id=report.pk, now=district["now"])
    told = Notification.objects.filter(kind="report_ready")
    assert sorted(told.values_list("user__username", flat=True)) == ["t_leader", "t_street_staff"]
    assert f"/reports/{report.pk}/report.pdf" in told.first().text
    # The hourly task again: nothing new is made and no one is told twice.
    assert services.reports_due(today=dt.date(2026, 4, 2)) == []
    assert services.subscribers_notify(report_id=report.pk) == 0
    assert told.count() == 2


def test_subscriptions_through_the_api(street_staff, db):
    client = _client(street_staff)
    answer = client.put(
        API + "/subscriptions",
        {"area": "530702001", "period": "week"},
        content_type="application/json",
    )
    assert answer.json() == [{"area": "530702001", "area_name": "西安街道", "period": "week"}]
    refused = client.put(
        API + "/subscriptions",
        {"area": "530702", "period": "week"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.put(
        API + "/subscriptions",
        {"area": "530702001", "period": "week", "subscribed": False},
        content_type="application/json",
    )
    assert not Subscription.objects.exists()


def test_reports_page_lists_what_one_may_read(leader, street_staff, resident, district):
    _made(leader, "530702", now=district["now"])
    page = _client(leader).get("/reports/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-status="done"' in text
    assert 'data-area="530702"' in text
    assert 'id="report-form"' in text
    street_page = _client(street_staff).get("/reports/").content.decode()
    assert 'data-area="530702"' not in street_page
    assert _client(resident).get("/reports/").status_code == 403


def test_failed_and_orphaned_reports_are_queued_again(leader, district, monkeypatch):
    report = services.report_request(user=leader, area_code="530702", kind="month", date="2026-03")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "report_figures", broken)
    with pytest.raises(RuntimeError):
        services.report_run(report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.error) == ("failed", "disk full")
    again = services.report_request(user=leader, area_code="530702", kind="month", date="2026-03")
    assert again.status == "queued"
    # A running job whose consumer died: queued again after its heartbeat stopped.
    Report.objects.filter(pk=report.pk).update(status="running")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert services.reports_orphaned(now=later) == [report.pk]
