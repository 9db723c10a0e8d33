"""Open311 reads follow the command center's moderation (issue 11): a hidden report is in no
list, single read or token; the center's wording replaces the description, scrubbed; a
client's media link is published only once the center approved media of the report. Keyed
clients write on their key's hourly budget, not the anonymous per-address one."""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from gridgov.events.models import Event, Source
from gridgov.residents.models import PublicView
from tests.open311.test_publication import listed, report

FORMATS = ["json", "xml"]
MEDIA = "https://media.example/1.jpg"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_report_the_center_hid_is_in_no_open311_read(wenhui_point, fmt):
    shown = report(wenhui_point, source=Source.OPEN311, description="路灯不亮")
    hidden = report(wenhui_point, source=Source.OPEN311, description="张三家门口吵闹")
    PublicView.objects.create(event=hidden, hidden=True, hidden_reason="涉及个人")
    PublicView.objects.create(event=shown, hidden=False)
    assert set(listed(fmt)) == {shown.number}
    detail = Client().get(f"/open311/v2/requests/{hidden.number}.{fmt}")
    assert detail.status_code == 404
    assert "张三" not in detail.content.decode()
    by_id = Client().get(
        f"/open311/v2/requests.{fmt}",
        {"service_request_id": f"{shown.number},{hidden.number}"},
    )
    assert hidden.number not in by_id.content.decode()
    assert shown.number in by_id.content.decode()
    assert Client().get(f"/open311/v2/tokens/{hidden.client_uuid}.{fmt}").status_code == 404
    assert Client().get(f"/open311/v2/tokens/{shown.client_uuid}.{fmt}").status_code == 200
    # Shown again when the center unhides it.
    PublicView.objects.filter(event=hidden).update(hidden=False, hidden_reason="")
    assert Client().get(f"/open311/v2/requests/{hidden.number}.{fmt}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_centers_wording_is_published_and_still_scrubbed(wenhui_point, fmt):
    event = report(wenhui_point, description="和丽华家门口垃圾三天没收 13908881234")
    PublicView.objects.create(event=event, public_text="文汇路垃圾未清运，联系 13908881234")
    listed_text = listed(fmt)[event.number]["description"]
    detail = Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]
    for published in (listed_text, detail["description"]):
        assert published == "文汇路垃圾未清运，联系 ***"
    # A row without wording (say, only photos approved): the scrubbed description.
    PublicView.objects.filter(event=event).update(public_text="")
    detail = Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]
    assert detail["description"] == "和丽华家门口垃圾三天没收 ***"


@pytest.mark.django_db
def test_a_media_link_is_published_only_once_the_center_approved_media(wenhui_point):
    event = report(wenhui_point, source=Source.OPEN311)
    Event.objects.filter(pk=event.pk).update(extra={"media_url": MEDIA})

    def media() -> str | None:
        return Client().get(f"/open311/v2/requests/{event.number}.json").json()[0]["media_url"]

    assert media() is None  # not moderated
    view = PublicView.objects.create(event=event, public_text="路面垃圾")
    assert media() is None  # moderated, no media approved
    view.approved_photos = [str(uuid.uuid4())]  # what counts is that media was approved
    view.save()
    assert media() == MEDIA
    listed_media = listed("json")[event.number]["media_url"]
    assert listed_media == MEDIA


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _post(client: Client, key: str | None, point) -> int:
    data = {"service_code": "0102", "lat": point[1], "long": point[0], "description": "垃圾"}
    if key:
        data["api_key"] = key
    return client.post("/open311/v2/requests.json", data).status_code


@pytest.mark.django_db
def test_a_keyed_client_writes_on_its_keys_budget_not_the_addresses(
    settings, open311_key, wenhui_point, fresh_cache
):
    settings.GRIDGOV_ANONYMOUS_WRITES_PER_HOUR = 2
    settings.GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR = 4
    client = Client(REMOTE_ADDR="203.0.113.71")
    # Past the anonymous budget of the address: the key's own budget applies.
    assert [_post(client, open311_key, wenhui_point) for _ in range(4)] == [200] * 4
    assert _post(client, open311_key, wenhui_point) == 429
    # The key's writes did not use the address's anonymous budget.
    assert [_post(client, None, wenhui_point) for _ in range(2)] == [403, 403]
    assert _post(client, None, wenhui_point) == 429


@pytest.mark.django_db
def test_a_post_with_a_wrong_key_stays_on_the_anonymous_budget(
    settings, open311_key, wenhui_point, fresh_cache
):
    settings.GRIDGOV_ANONYMOUS_WRITES_PER_HOUR = 2
    client = Client(REMOTE_ADDR="203.0.113.72")
    assert [_post(client, "o311_not-a-key", wenhui_point) for _ in range(2)] == [403, 403]
    assert _post(client, "o311_not-a-key", wenhui_point) == 429
    # Another address's keyed client is not affected.
    assert _post(Client(REMOTE_ADDR="203.0.113.73"), open311_key, wenhui_point) == 200


def test_the_per_key_budget_defaults_to_3000(settings):
    from gridgov.open311.quota import writes_per_key_per_hour

    if hasattr(settings, "GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR"):
        del settings.GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR
    assert writes_per_key_per_hour() == 3000
