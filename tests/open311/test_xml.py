"""Every Open311 XML body parses in a strict parser, whatever residents typed (issue 8 item 8).

XML 1.0 forbids most control characters and U+FFFE/U+FFFF; one report carrying them made
requests.xml unparseable for every client. They may come in through Open311, the events
API, the back office (a subclass name) or a URL, and rows stored before intake dropped them
must not break the output either.
"""

import io
import uuid
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client

from gridgov.events.models import Event, Subclass

HOSTILE = "古城口\x0b垃圾\x01没人收\ufffe\x1f"
CLEAN = "古城口垃圾没人收"


@pytest.fixture
def api_key(db) -> str:
    out = io.StringIO()
    call_command("create_open311_key", "test client", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def strict(response) -> ET.Element:
    """expat refuses a forbidden character anywhere in the document."""
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


@pytest.mark.django_db
def test_requests_xml_parses_after_hostile_reports_from_every_door(api_key, wenhui_point):
    lon, lat = wenhui_point
    through_open311 = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "0102",
            "lat": lat,
            "long": lon,
            "description": HOSTILE,
            "first_name": "丽\x0b",
            "last_name": "和\ufffe",
        },
    )
    assert through_open311.status_code == 200
    through_api = Client().post(
        "/api/v1/events/public",
        {
            "subclass": "0102",
            "description": HOSTILE,
            "lon": lon,
            "lat": lat,
            "address": "文汇路\x0b1号",
            "client_uuid": str(uuid.uuid4()),
        },
        content_type="application/json",
    )
    assert through_api.status_code == 201
    # A row stored before intake dropped such characters (or by any other path).
    Event.objects.filter(number=through_api.json()["number"]).update(
        description=HOSTILE, address="文汇路\x0b1号"
    )
    # NUL may be refused at the door (400) or dropped; either way nothing breaks the output.
    with_nul = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "0102",
            "lat": lat,
            "long": lon,
            "description": "a\x00",
        },
    )
    assert with_nul.status_code in (200, 400)
    root = strict(Client().get("/open311/v2/requests.xml"))
    descriptions = {
        node.find("service_request_id").text: node.find("description").text
        for node in root.findall("request")
    }
    numbers = (through_open311.json()[0]["service_request_id"], through_api.json()["number"])
    assert [descriptions[number] for number in numbers] == [CLEAN, CLEAN]
    assert len(descriptions) == (3 if with_nul.status_code == 200 else 2)
    for number in numbers:
        detail = strict(Client().get(f"/open311/v2/requests/{number}.xml"))
        assert detail.find("request/description").text == CLEAN


@pytest.mark.django_db
def test_services_definitions_and_errors_parse_with_hostile_text():
    Subclass.objects.filter(code="0504").update(
        name_zh="机动车\x0b乱停放\uffff",
        keywords="停车\x0c 乱停",
        extra_fields=[{"code": "plate\x01", "description": "车牌\x0b号", "required": True}],
    )
    services = strict(Client().get("/open311/v2/services.xml"))
    names = {s.find("service_code").text: s.find("service_name").text for s in services}
    assert names["0504"] == "机动车乱停放"
    definition = strict(Client().get("/open311/v2/services/0504.xml"))
    assert definition.find("attributes/attribute/description").text == "车牌号"
    missing = Client().get("/open311/v2/services/%0B99%EF%BF%BE.xml")
    assert missing.status_code == 404
    assert strict(missing).find("error/description").text == "service_code 99 not found"
    discovery = strict(Client().get("/open311/discovery.xml"))
    assert discovery.find("endpoints/endpoint/specification") is not None
