"""The export's area filter: inside the user's area it keeps the queue's meaning (that
part; above it, the user's part), an area outside it is a 403 and an unknown code a 404,
each with its message, not an empty file; nothing is recorded for a refusal."""

import pytest
from django.test import Client

from gridgov.reports.models import EventExport
from tests.conftest import WENHUI_GRID
from tests.reports.test_export import _csv, _numbers, events

__all__ = ["events"]
API = "/api/v1/reports/events-export"
OTHER_STREET = "530702002"  # 大研: not 西安, the street staff's


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("area", "status", "code"),
    [(OTHER_STREET, 403, "out_of_scope"), ("530702999", 404, "not_found")],
)
def test_an_area_outside_or_unknown_is_refused_with_a_message(
    street_staff, events, area, status, code
):
    client = _client(street_staff)
    answer = client.get(f"{API}?format=csv&area={area}")
    assert answer.status_code == status, answer.content
    assert (answer.json()["code"], answer.json()["field"]) == (code, "area")
    assert area in answer.json()["message"]
    page = client.get(f"/reports/export/events.csv?area={area}")
    assert page.status_code == status
    assert area in page.content.decode()
    assert not EventExport.objects.exists()


def test_inside_the_area_the_filter_keeps_the_queues_meaning(street_staff, events):
    client = _client(street_staff)
    grid = _csv(client.get(f"/reports/export/events.csv?area={WENHUI_GRID}"))
    assert _numbers(grid) == {events["wenhui"].number, events["closed"].number}
    # The district, above the street's area: the street's own events, as the queue lists.
    district = _csv(client.get("/reports/export/events.csv?area=530702"))
    assert _numbers(district) == {
        events["wenhui"].number,
        events["closed"].number,
        events["formula"].number,
    }
    assert EventExport.objects.count() == 2


def test_the_district_exports_any_of_its_streets(district_staff, events):
    street = events["elsewhere"].area.path.strip("/").split("/")[3]
    rows = _csv(_client(district_staff).get(f"/reports/export/events.csv?area={street}"))
    assert _numbers(rows) == {events["elsewhere"].number}
