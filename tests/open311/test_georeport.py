"""GeoReport v2 contract: every endpoint in JSON and XML, errors in the standard shape."""

import datetime as dt
import io
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gridgov.events.models import Event, Subclass
from gridgov.events.services import event_act
from gridgov.open311.models import ApiKey


@pytest.fixture
def api_key(db) -> str:
    out = io.StringIO()
    call_command("create_open311_key", "test client", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def client() -> Client:
    return Client()


def post(client, key, point, fmt="json", **extra):
    data = {
        "api_key": key,
        "service_code": "0102",
        "lat": point[1],
        "long": point[0],
        "description": "古城口垃圾没人收",
        "first_name": "丽",
        "last_name": "和",
        "phone": "13908881234",
        **extra,
    }
    return client.post(f"/open311/v2/requests.{fmt}", data)


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(client, fmt):
    response = client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        endpoint = response.json()["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2/")
    else:
        assert (
            xml(response).find("endpoints/endpoint/specification").text
            == "http://wiki.open311.org/GeoReport_v2"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_list_and_definition(client, fmt):
    Subclass.objects.filter(code="0504").update(
        extra_fields=[
            {"code": "plate", "description": "车牌号", "required": True, "datatype": "string"},
            {
                "code": "kind",
                "datatype": "singlevaluelist",
                "values": [{"key": "car", "name": "汽车"}, {"key": "truck", "name": "货车"}],
            },
        ]
    )
    response = client.get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        services = {s["service_code"]: s for s in response.json()}
        assert services["0102"]["service_name"] == "暴露垃圾"
        assert services["0504"]["metadata"] is True
        assert services["0102"]["metadata"] is False
        assert services["0102"]["type"] == "realtime"
        assert len(services) == Subclass.objects.filter(active=True).count()
    else:
        codes = [s.find("service_code").text for s in xml(response).findall("service")]
        assert "0102" in codes
    definition = client.get(f"/open311/v2/services/0504.{fmt}")
    assert definition.status_code == 200
    if fmt == "json":
        attributes = definition.json()["attributes"]
        assert [a["code"] for a in attributes] == ["plate", "kind"]
        assert attributes[0]["required"] is True
        assert attributes[1]["values"][1] == {"key": "truck", "name": "货车"}
    else:
        root = xml(definition)
        assert root.tag == "service_definition"
        assert root.find("attributes/attribute/code").text == "plate"
    missing = client.get(f"/open311/v2/services/9999.{fmt}")
    assert missing.status_code == 404
    if fmt == "json":
        assert missing.json() == [{"code": 404, "description": "service_code 9999 not found"}]
    else:
        assert xml(missing).find("error/code").text == "404"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_then_read_back(client, api_key, wenhui_point, fmt):
    response = post(client, api_key, wenhui_point, fmt)
    assert response.status_code == 200
    if fmt == "json":
        created = response.json()[0]
        request_id, token = created["service_request_id"], created["token"]
    else:
        node = xml(response).find("request")
        request_id, token = node.find("service_request_id").text, node.find("token").text
    event = Event.objects.get(number=request_id)
    assert (event.source, event.reporter_name, event.area.code) == (
        "open311",
        "和丽",
        "530702001002001",
    )
    detail = client.get(f"/open311/v2/requests/{request_id}.{fmt}")
    assert detail.status_code == 200
    if fmt == "json":
        body = detail.json()[0]
        assert body["status"] == "open"
        assert body["service_code"] == "0102"
        assert body["lat"] == round(wenhui_point[1], 3)  # a resident's place: about 100 m
        assert body["requested_datetime"].endswith("+08:00")
    else:
        assert xml(detail).find("request/status").text == "open"
    by_token = client.get(f"/open311/v2/tokens/{token}.{fmt}")
    assert by_token.status_code == 200


@pytest.mark.django_db
def test_states_fold_into_open_and_closed_with_notes_agency_and_expected(
    client, api_key, wenhui_point, operator
):
    request_id = post(client, api_key, wenhui_point).json()[0]["service_request_id"]
    event = Event.objects.get(number=request_id)
    event_act(user=operator, event_id=event.pk, action="accept")
    event_act(user=operator, event_id=event.pk, action="dispatch")
    body = client.get(f"/open311/v2/requests/{request_id}.json").json()[0]
    assert body["status"] == "open"
    assert body["status_notes"] == "已派遣"
    assert body["agency_responsible"] == "西安街道综合执法中队"
    assert body["expected_datetime"] is not None
    other = post(client, api_key, (wenhui_point[0] + 0.01, wenhui_point[1])).json()[0][
        "service_request_id"
    ]
    event_act(
        user=operator,
        event_id=Event.objects.get(number=other).pk,
        action="reject",
        comment="不属实",
    )
    assert client.get(f"/open311/v2/requests/{other}.json").json()[0]["status"] == "closed"
    closed = client.get("/open311/v2/requests.json?status=closed").json()
    opened = client.get("/open311/v2/requests.json?status=open").json()
    assert [r["service_request_id"] for r in closed] == [other]
    assert [r["service_request_id"] for r in opened] == [request_id]
    both = client.get(f"/open311/v2/requests.json?service_request_id={request_id},{other}").json()
    assert {r["service_request_id"] for r in both} == {request_id, other}
    assert client.get("/open311/v2/requests.json?service_code=0504").json() == []
    # Any span up to the spec's 90 days (issue 11: longer ones are refused, see test_contract).
    start = (timezone.now() - dt.timedelta(days=45)).isoformat()
    end = (timezone.now() + dt.timedelta(days=44)).isoformat()
    window = client.get("/open311/v2/requests.json", {"start_date": start, "end_date": end})
    assert len(window.json()) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"service_code": "9999"}, 404),
        ({"service_code": ""}, 400),
        ({"lat": ""}, 400),
        ({"lat": "39.9", "long": "116.4"}, 400),
        ({"phone": "1" * 33}, 400),  # free text (issue 11), up to 32 characters
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"media_url": "https://media.example/" + "a" * 500}, 400),
    ],
)
def test_bad_posts_get_standard_errors_and_create_nothing(
    client, api_key, wenhui_point, change, status
):
    response = post(client, api_key, wenhui_point, **change)
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status
    assert body[0]["description"]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_required_attributes_and_bad_filters(client, api_key, wenhui_point):
    Subclass.objects.filter(code="0504").update(extra_fields=[{"code": "plate", "required": True}])
    assert post(client, api_key, wenhui_point, service_code="0504").status_code == 400
    ok = post(
        client, api_key, wenhui_point, service_code="0504", **{"attribute[plate]": "云P12345"}
    )
    assert ok.status_code == 200
    assert Event.objects.get().extra["attributes"] == {"plate": "云P12345"}
    Event.objects.all().delete()
    unknown_kept_out = post(
        client,
        api_key,
        wenhui_point,
        service_code="0504",
        **{"attribute[plate]": "云P12345", "attribute[x]": "y" * 10_000},
    )
    assert unknown_kept_out.status_code == 200
    assert Event.objects.get().extra["attributes"] == {"plate": "云P12345"}
    too_long = post(
        client, api_key, wenhui_point, service_code="0504", **{"attribute[plate]": "y" * 501}
    )
    assert too_long.status_code == 400
    assert Event.objects.count() == 1
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400
    assert client.get("/open311/v2/requests/000.json").status_code == 404
    assert client.get("/open311/v2/tokens/not-a-token.xml").status_code == 404
    assert client.get("/open311/v2/services.json?jurisdiction_id=elsewhere").status_code == 404
    assert client.get("/open311/v2/services.html").status_code == 404


@pytest.mark.django_db
def test_a_revoked_key_is_refused(client, api_key, wenhui_point):
    ApiKey.objects.update(active=False)
    assert post(client, api_key, wenhui_point).status_code == 403


@pytest.mark.django_db
def test_an_address_string_of_a_registered_place_is_enough(
    client, api_key, wenhui_point, community_staff
):
    from gridgov.registry.services import record_create

    record_create(
        user=community_staff,
        kind_key="markets",
        data={
            "name": "文汇农贸市场",
            "stalls": 80,
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
            "address": "文汇路20号文汇农贸市场",
        },
    )
    response = post(client, api_key, wenhui_point, lat="", long="", address_string="文汇农贸市场")
    assert response.status_code == 200
    assert Event.objects.get().area.code == "530702001002001"
    unknown = post(client, api_key, wenhui_point, lat="", long="", address_string="火星基地一号")
    assert unknown.status_code == 400
