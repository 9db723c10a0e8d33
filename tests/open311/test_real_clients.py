"""Real PyPI Open311 clients, used unchanged against a live server (issue 11).

- `georeport` 0.3.1 (reads: services, definitions, requests; JSON and XML through
  xmltodict). It has no write call.
- `civicbot` 0.4.0's Open311Client (reads and the POST, with `attribute[code][]` for a
  multivaluelist, checked against our live definition first: validate_remote).
The other clients on PyPI are Python 2 only and cannot be imported on 3.11: `open311` 1.1
(`from api import API`, implicit relative imports) and `three` 0.8.0
(`from itertools import ifilter`).
"""

import pytest
from civicbot import Endpoint, HttpTransport, Open311Client
from civicbot.http import HttpError, RateLimiter
from georeport import GeoReport

from gridgov.events.models import Event

JURISDICTION = "gucheng.lijiang.gov.cn"


@pytest.fixture
def civicbot(live_server, demo_city) -> Open311Client:
    endpoint = Endpoint(
        id="gucheng", name="古城区", base_url=f"{live_server.url}/open311/v2", write=True
    )
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport, jurisdiction_id=JURISDICTION)


@pytest.mark.django_db(transaction=True)
def test_civicbot_posts_with_a_multivaluelist_and_reads_it_back(
    civicbot, open311_key, wenhui_point, defined_service
):
    prepared = civicbot.create_request(
        defined_service,
        dry_run=False,
        confirm="SEND",
        api_key=open311_key,
        validate_remote=True,
        lat=wenhui_point[1],
        lng=wenhui_point[0],
        description="古城口有车辆损坏" * 300,  # 2400 characters: the spec allows 4000
        attributes={"plate": "云P12345", "damage": ["glass", "door"], "kind": "truck"},
        phone="0888-5123456",
        first_name="John",
        last_name="Smith",
        email="smith@example.com",
        device_id="tt222111",
    )
    created = prepared.response[0]
    event = Event.objects.get(number=created["service_request_id"])
    assert event.extra["attributes"] == {
        "plate": "云P12345",
        "damage": ["glass", "door"],
        "kind": "truck",
    }
    assert event.reporter_phone == "0888-5123456"
    assert len(event.description) == 2400
    assert civicbot.get_token(created["token"])[0]["service_request_id"] == event.number
    read = civicbot.get_request(event.number)
    assert (read["service_request_id"], read["status"]) == (event.number, "open")
    listed = civicbot.list_requests(service_code=defined_service, status="open", page_size=10)
    assert [r["service_request_id"] for r in listed] == [event.number]


@pytest.mark.django_db(transaction=True)
def test_civicbot_sees_refusals_as_http_errors(
    civicbot, open311_key, wenhui_point, defined_service
):
    with pytest.raises(HttpError) as refused:
        civicbot.create_request(
            defined_service,
            dry_run=False,
            confirm="SEND",
            api_key=open311_key,
            lat=wenhui_point[1],
            lng=wenhui_point[0],
            description="x",
            attributes={"plate": "云P1", "damage": ["roof"]},
        )
    assert refused.value.status == 400
    assert "attribute[damage]" in refused.value.body
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_in_json_and_xml(
    live_server, civicbot, open311_key, wenhui_point, defined_service, fmt
):
    number = civicbot.create_request(
        "0102",
        dry_run=False,
        confirm="SEND",
        api_key=open311_key,
        lat=wenhui_point[1],
        lng=wenhui_point[0],
        description="古城口垃圾没人收",
    ).response[0]["service_request_id"]
    client = GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction=JURISDICTION, output_format=fmt
    )
    services = client.get_service_list()
    assert "0102" in {s["service_code"] for s in services}
    definition = client.get_service_definition(defined_service)
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes][-1] == "damage"
    listed = client.get_service_requests(service_code="0102", status="open")
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict: one is a dict
    assert [r["service_request_id"] for r in listed] == [number]
    assert client.get_service_request(number)["service_request_id"] == number
