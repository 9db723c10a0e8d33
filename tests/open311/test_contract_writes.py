"""Issue 11 item 5, the writes: POST /requests as the spec allows it, in JSON and XML,
every response validated against the GeoReport v2 schemas (contract.py)."""

import pytest
from django.test import Client

from gridgov.events.models import Event, Source
from tests.open311.contract import document, error_text

FORMATS = ["json", "xml"]
SPEC_EXAMPLE_PHONE = "111111111"  # the spec's own example POST (a US-style free text)


def post(fmt: str, data: dict, query: str = "") -> tuple:
    response = Client().post(f"/open311/v2/requests.{fmt}{query}", data)
    kind = "post_response" if response.status_code == 200 else "errors"
    return response, document(response, fmt, kind)


def base(key: str, point: tuple[float, float], **extra) -> dict:
    return {
        "api_key": key,
        "service_code": "0102",
        "lat": point[1],
        "long": point[0],
        "description": "古城口垃圾没人收",
        **extra,
    }


def created(body) -> Event:
    return Event.objects.get(number=body[0]["service_request_id"])


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("phone", "stored", "mobile"),
    [
        (SPEC_EXAMPLE_PHONE, SPEC_EXAMPLE_PHONE, False),
        ("0888-5123456", "0888-5123456", False),  # a landline
        ("+44 20 7946 0958", "+44 20 7946 0958", False),  # a visitor's number
        ("晚上打 0888 512", "晚上打 0888 512", False),  # free text
        ("+86 139-0888-1234", "13908881234", True),  # a Chinese mobile: SMS can reach it
        ("x" * 32, "x" * 32, False),
    ],
)
def test_the_spec_example_and_any_phone_text_are_taken(
    open311_key, wenhui_point, fmt, phone, stored, mobile
):
    response, body = post(
        fmt,
        base(
            open311_key,
            wenhui_point,
            phone=phone,
            first_name="John",
            last_name="Smith",
            email="smith@example.com",
            device_id="tt222111",
            account_id="123456",
        ),
    )
    assert response.status_code == 200
    assert body[0]["account_id"] == "123456"
    event = created(body)
    assert (event.source, event.reporter_phone, event.reporter_name) == (
        Source.OPEN311,
        stored,
        "SmithJohn",
    )
    assert event.extra["open311"] == {
        "first_name": "John",
        "last_name": "Smith",
        "email": "smith@example.com",
        "device_id": "tt222111",
        "account_id": "123456",
        "phone_is_mobile": mobile,
        "address_id": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("field", "longest"),
    [
        ("phone", 32),
        ("first_name", 50),
        ("last_name", 50),
        ("email", 254),
        ("device_id", 100),
        ("account_id", 100),
    ],
)
def test_free_text_fields_are_checked_for_length_only(
    open311_key, wenhui_point, fmt, field, longest
):
    response, _body = post(fmt, base(open311_key, wenhui_point, **{field: "9" * (longest + 1)}))
    assert response.status_code == 400
    assert field in error_text(response, fmt)
    assert not Event.objects.exists()
    response, _body = post(fmt, base(open311_key, wenhui_point, **{field: "9" * longest}))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_descriptions_up_to_4000_characters(open311_key, wenhui_point, fmt):
    text = "路灯不亮。" * 800  # 4000 characters
    response, body = post(fmt, base(open311_key, wenhui_point, description=text))
    assert response.status_code == 200
    assert created(body).description == text
    response, _body = post(fmt, base(open311_key, wenhui_point, description=text + "！"))
    assert response.status_code == 400
    assert "description" in error_text(response, fmt)
    assert Event.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_attributes_of_every_datatype_are_parsed_and_stored(
    open311_key, wenhui_point, defined_service, fmt
):
    data = base(
        open311_key,
        wenhui_point,
        service_code=defined_service,
        **{
            "attribute[plate]": "云P12345",
            "attribute[count]": "2.5",
            "attribute[seen_at]": "2026-11-24T08:00:00+08:00",
            "attribute[details]": "左前门\n右后轮",
            "attribute[kind]": "truck",
            "attribute[damage][]": ["glass", "door"],
            "attribute[unknown]": "dropped",
        },
    )
    response, body = post(fmt, data)
    assert response.status_code == 200
    assert created(body).extra["attributes"] == {
        "plate": "云P12345",
        "count": "2.5",
        "seen_at": "2026-11-24T08:00:00+08:00",
        "details": "左前门\n右后轮",
        "kind": "truck",
        "damage": ["glass", "door"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_multivaluelist_may_also_repeat_the_plain_key(
    open311_key, wenhui_point, defined_service, fmt
):
    data = base(
        open311_key,
        wenhui_point,
        service_code=defined_service,
        **{"attribute[plate]": "云P1", "attribute[damage]": ["tyre", "glass"]},
    )
    response, body = post(fmt, data)
    assert response.status_code == 200
    assert created(body).extra["attributes"]["damage"] == ["tyre", "glass"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ({"attribute[damage][]": ["glass"]}, "attribute[plate] is required"),
        ({"attribute[plate]": "云P1"}, "attribute[damage] is required"),
        ({"attribute[plate]": "云P1\n2"}, "attribute[plate]"),
        ({"attribute[plate]": "y" * 501}, "attribute[plate]"),
        ({"attribute[count]": "two"}, "attribute[count]"),
        ({"attribute[count]": "nan"}, "attribute[count]"),
        ({"attribute[seen_at]": "yesterday"}, "attribute[seen_at]"),
        ({"attribute[kind]": "bus"}, "attribute[kind]"),
        ({"attribute[kind]": ["car", "truck"]}, "attribute[kind]"),
        ({"attribute[damage][]": ["glass", "roof"]}, "attribute[damage]"),
        ({"attribute[details]": "x" * 4001}, "attribute[details]"),
    ],
)
def test_a_wrong_attribute_is_a_400_naming_it(
    open311_key, wenhui_point, defined_service, fmt, attributes, named
):
    complete = {"attribute[plate]": "云P1", "attribute[damage][]": ["glass"]}
    if "is required" in named:
        complete = {}
    data = base(
        open311_key, wenhui_point, service_code=defined_service, **{**complete, **attributes}
    )
    response, _body = post(fmt, data)
    assert response.status_code == 400
    assert named in error_text(response, fmt)
    assert not Event.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_api_key_from_the_query_string(open311_key, wenhui_point, fmt):
    data = base(open311_key, wenhui_point)
    del data["api_key"]
    refused, _body = post(fmt, data)
    assert refused.status_code == 403
    response, _body = post(fmt, data, query=f"?api_key={open311_key}")
    assert response.status_code == 200
    wrong, _body = post(fmt, data, query="?api_key=o311_wrong")
    assert wrong.status_code == 403
    assert Event.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_address_id_of_a_registered_place(open311_key, wenhui_point, community_staff, fmt):
    from gridgov.registry.services import record_create

    market = record_create(
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
    data = base(open311_key, wenhui_point, lat="", long="", address_id=f"markets:{market.pk}")
    response, body = post(fmt, data)
    assert response.status_code == 200
    event = created(body)
    assert (event.lon, event.lat, event.address) == (
        wenhui_point[0],
        wenhui_point[1],
        "文汇路20号文汇农贸市场",
    )
    assert event.area.code == "530702001002001"
    assert event.extra["open311"]["address_id"] == f"markets:{market.pk}"
    for wrong in ("markets:999999", "households:1", "nothing", "markets:"):
        refused, _body = post(fmt, {**data, "address_id": wrong})
        assert refused.status_code == 400
        assert "address_id" in error_text(refused, fmt)
    assert Event.objects.count() == 1
