"""Open311 publishes only what the subclass allows, scrubbed (issue 8 item 6).

Anonymous clients read requests as lists, one by one and by token, in JSON and XML alike:
disputes and people in difficulty never appear, staff and camera reports only where the
subclass says so, descriptions lose phone and ID numbers, and locations are rounded to
about 100 m unless the event is on a public facility.
"""

import uuid
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from gridgov.events.models import Event, Source, Subclass
from gridgov.events.services import event_report
from gridgov.open311.publication import public_text
from gridgov.residents.models import PublicView

PRIVATE_DESCRIPTION = (
    "张三 13908881234 身份证530702199001011234 家里电话0888-5123456，"
    "也可打 139 0888 1234 或 (0888)512 3456，身份证号53070219900101123X"
)


def report(point, *, subclass="0102", description="垃圾没人收", source=Source.RESIDENT, **extra):
    """A resident report, then the fields under test set directly: how the event came in
    (source) is not what this test is about."""
    event = event_report(
        user=None,
        data={
            "subclass": "0102",
            "description": "垃圾没人收",
            "lon": point[0],
            "lat": point[1],
            "address": "文汇路9号2单元301",
            "client_uuid": str(uuid.uuid4()),
        },
        source=Source.RESIDENT,
    )
    Event.objects.filter(pk=event.pk).update(
        subclass=Subclass.objects.get(code=subclass),
        description=description,
        source=source,
        **extra,
    )
    event.refresh_from_db()
    return event


def listed(fmt: str = "json") -> dict[str, dict]:
    response = Client().get(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        return {r["service_request_id"]: r for r in response.json()}
    root = ET.fromstring(response.content)
    return {
        node.find("service_request_id").text: {child.tag: child.text for child in node}
        for node in root.findall("request")
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_only_subclasses_and_sources_that_are_public_are_listed(wenhui_point, fmt):
    garbage = report(wenhui_point)
    hotline = report(wenhui_point, source=Source.HOTLINE)
    dispute = report(wenhui_point, subclass="1501", description="邻居吵架")
    security = report(wenhui_point, subclass="1601", description="有人打架")
    difficulty = report(wenhui_point, subclass="2401", description="独居老人需要帮扶")
    worker = report(wenhui_point, source=Source.WORKER)
    camera = report(wenhui_point, source=Source.CAMERA)
    assert set(listed(fmt)) == {garbage.number, hotline.number}
    for hidden in (dispute, security, difficulty, worker, camera):
        detail = Client().get(f"/open311/v2/requests/{hidden.number}.{fmt}")
        assert detail.status_code == 404
    by_id = Client().get(
        "/open311/v2/requests.json",
        {"service_request_id": f"{garbage.number},{dispute.number},{worker.number}"},
    )
    assert [r["service_request_id"] for r in by_id.json()] == [garbage.number]
    # A subclass may publish staff and camera reports too.
    Subclass.objects.filter(code="0102").update(publication=Subclass.Publication.ALL_SOURCES)
    assert set(listed(fmt)) == {garbage.number, hotline.number, worker.number, camera.number}
    Subclass.objects.filter(code="0102").update(publication=Subclass.Publication.NONE)
    assert listed(fmt) == {}


@pytest.mark.django_db
def test_the_shipped_catalog_keeps_private_matters_private():
    private = set(
        Subclass.objects.filter(publication=Subclass.Publication.NONE).values_list(
            "code", flat=True
        )
    )
    assert private == {"1501", "1502", "1601", "1902", "2401"}
    assert set(Subclass.objects.filter(public_facility=True).values_list("code", flat=True)) == {
        "0401",
        "0402",
        "0404",
        "1102",
        "1202",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_descriptions_lose_phone_and_id_numbers(wenhui_point, fmt):
    event = report(wenhui_point, description=PRIVATE_DESCRIPTION)
    listed_text = listed(fmt)[event.number]["description"]
    detail = Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]["description"]
    for published in (listed_text, detail):
        for secret in ("13908881234", "0888", "5123456", "512 3456", "1234", "199001011"):
            assert secret not in published
        assert published.startswith("张三 *** 身份证*** 家里电话***")


@pytest.mark.django_db
def test_the_reporters_name_email_and_a_bad_media_link_are_not_published(wenhui_point):
    event = report(
        wenhui_point,
        description="和丽华反映：门口垃圾三天没收，邮箱 hlh@example.cn",
        reporter_name="和丽华",
        extra={"media_url": "javascript:alert(1)"},
    )
    body = Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]
    assert body["description"] == "***反映：门口垃圾三天没收，邮箱 ***"
    assert body["media_url"] is None
    Event.objects.filter(pk=event.pk).update(extra={"media_url": "https://media.example/1.jpg"})
    # Published once the center approved media (test_moderation.py): never a bad link.
    PublicView.objects.create(event=event, approved_photos=[str(uuid.uuid4())])
    body = Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]
    assert body["media_url"] == "https://media.example/1.jpg"
    Event.objects.filter(pk=event.pk).update(extra={"media_url": "javascript:alert(1)"})
    body = Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]
    assert body["media_url"] is None


def test_scrubbing_keeps_dates_times_and_short_numbers():
    text = "2026-11-24 09:30 在3号楼2单元，约20袋垃圾，第12345号井盖"
    assert public_text(text) == text
    assert public_text("电话：13908881234。") == "电话：***。"
    assert public_text("ＩＤ５３０７０２１９９００１０１１２３Ｘ") == "ＩＤ***"


@pytest.mark.parametrize(
    "written",
    [
        "139/0888/1234",
        "tel:139_0888_1234",
        "+86·139·0888·1234",
        "139,0888,1234",
        "530702/19900101/1234",
        "一三九零八八八一二三四",
        "幺三九 零八八八 一二三四",
    ],
)
def test_numbers_written_with_other_separators_or_in_chinese_are_scrubbed(written):
    published = public_text(f"联系 {written} 谢谢")
    assert published.startswith("联系 ")
    assert published.endswith(" 谢谢")
    assert not any(ch.isdigit() for ch in published.replace("tel:", ""))
    assert "八八八" not in published
    assert "0888" not in published


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_locations_are_rounded_unless_on_a_public_facility(wenhui_point, fmt):
    lon, lat = 100.2301234, 26.8705678  # stored exactly; where it lies does not matter here
    home = report(wenhui_point, lon=lon, lat=lat)
    facility = report(wenhui_point, subclass="1102", lon=lon, lat=lat)
    published = listed(fmt)
    assert (float(published[home.number]["lat"]), float(published[home.number]["long"])) == (
        26.871,
        100.23,
    )
    assert published[home.number]["address"] == home.area.name  # not the flat's number
    assert (
        float(published[facility.number]["lat"]),
        float(published[facility.number]["long"]),
    ) == (26.870568, 100.230123)
    assert published[facility.number]["address"] == "文汇路9号2单元301"


@pytest.mark.django_db
def test_a_token_of_an_unpublished_request_is_not_found(wenhui_point):
    public = report(wenhui_point, source=Source.OPEN311)
    private = report(wenhui_point, subclass="1501", source=Source.OPEN311)
    found = Client().get(f"/open311/v2/tokens/{public.client_uuid}.json")
    assert found.json() == [{"service_request_id": public.number, "token": str(public.client_uuid)}]
    hidden = Client().get(f"/open311/v2/tokens/{private.client_uuid}.json")
    assert hidden.status_code == 404
    assert hidden.json() == [{"code": 404, "description": "token not found"}]


@pytest.mark.django_db
def test_staff_still_read_the_unpublished_event_whole(wenhui_point, operator):
    from tests.api.test_api import token_for

    dispute = report(wenhui_point, subclass="1501", description=PRIVATE_DESCRIPTION)
    staff = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    response = staff.get(f"/api/v1/events/{dispute.pk}")
    assert response.status_code == 200
    assert response.json()["description"] == PRIVATE_DESCRIPTION


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_more_requests(wenhui_point):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/open311/v2/requests.xml").status_code == 200
        return len(captured)

    report(wenhui_point)
    few = queries()
    for subclass in ("0102", "1102", "0504"):
        report(wenhui_point, subclass=subclass)
    assert len(listed()) == 4
    assert queries() == few
