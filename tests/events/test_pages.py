import re

import pytest
from django.test import Client

from gridgov.events.services import event_report
from tests.events.conftest import report_data


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_queue_filters_and_pager_keep_the_filters(operator, reporter, wenhui_point):
    for _ in range(31):
        event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    page = signed_in(operator).get("/events/?state=reported&source=resident").content.decode()
    assert len(re.findall(r'href="/events/[0-9]+/"', page)) == 30
    assert "state=reported&amp;source=resident&amp;after=" in page  # keyset pager (0015)
    assert "暂无事件" in signed_in(operator).get("/events/?state=closed").content.decode()


@pytest.mark.django_db
def test_event_page_shows_only_the_actions_allowed_now(
    operator, grid_worker, other_community_staff, reporter, wenhui_point
):
    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    center = signed_in(operator).get(f"/events/{event.pk}/").content.decode()
    assert 'data-action="accept"' in center
    assert 'data-action="close"' not in center
    worker = signed_in(grid_worker).get(f"/events/{event.pk}/").content.decode()
    assert 'data-action="accept"' not in worker
    assert signed_in(other_community_staff).get(f"/events/{event.pk}/").status_code == 404
    response = signed_in(operator).post(
        f"/events/{event.pk}/", {"action": "reject", "comment": ""}, follow=True
    )
    assert "请填写理由" in response.content.decode()
    event.refresh_from_db()
    assert event.state == "reported"


@pytest.mark.django_db
def test_report_page_errors_keep_what_was_typed(wenhui_point, operator):
    # The desk's form: an operator taking a hotline call (residents report on /r/report/).
    desk = signed_in(operator)
    response = desk.post(
        "/report/", {"subclass": "0102", "description": "垃圾", "lon": "10.0", "lat": "50.0"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不在中国境内" in page
    assert "垃圾" in page
    ok = desk.post(
        "/report/",
        {"subclass": "0102", "description": "垃圾", "lon": wenhui_point[0], "lat": wenhui_point[1]},
    )
    assert "感谢您的反映" in ok.content.decode()


@pytest.mark.django_db
def test_whistle_check_in_and_report_back_on_the_event_page(
    operator, community_staff, squad_handler, street_squad, reporter, wenhui_point
):
    from gridgov.events.services import event_act

    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    event_act(user=operator, event_id=event.pk, action="accept")
    staff = signed_in(community_staff)
    page = staff.get(f"/events/{event.pk}/").content.decode()
    assert 'id="whistle-form"' in page
    assert "西安街道综合执法中队" in page
    assert "区城市管理综合行政执法局" not in page  # the district is two levels up
    staff.post(
        f"/events/{event.pk}/",
        {
            "op": "whistle",
            "level": "community",
            "department_ids": [street_squad.pk],
            "reason": "多次劝导无效",
        },
    )
    handler = signed_in(squad_handler)
    page = handler.get(f"/events/{event.pk}/").content.decode()
    assert 'id="check-in"' in page
    handler.post(
        f"/events/{event.pk}/",
        {"op": "check_in", "summons_id": event.whistles.get().summonses.get().pk},
    )
    handler.post(
        f"/events/{event.pk}/",
        {
            "op": "report_back",
            "summons_id": event.whistles.get().summonses.get().pk,
            "report": "已联合执法",
        },
    )
    page = handler.get(f"/events/{event.pk}/").content.decode()
    assert "已联合执法" in page
    assert 'id="check-in"' not in page
    assert [t.action for t in event.timeline.all()][-3:] == ["whistle", "check_in", "report_back"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form",
    [
        {"action": "dispatch", "assignee_ids": "9" * 20},
        {"action": "dispatch", "department_id": "9" * 20},
        {"action": "accept", "version": "9" * 20},
        {"op": "check_in", "summons_id": "9" * 20},
    ],
)
def test_ids_beyond_64_bits_on_the_event_page_are_a_message_not_a_500(
    operator, reporter, wenhui_point, form
):
    from gridgov.events.services import event_act

    event = event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    if form.get("action") == "dispatch":
        event_act(user=operator, event_id=event.pk, action="accept")
    event.refresh_from_db()
    before = (event.state, event.version)
    client = signed_in(operator)
    response = client.post(f"/events/{event.pk}/", form, follow=True)
    assert response.status_code == 200
    assert "flash-error" in response.content.decode()
    event.refresh_from_db()
    assert (event.state, event.version) == before


@pytest.mark.django_db
def test_a_bad_queue_cursor_says_so_and_links_to_the_first_page(operator):
    response = signed_in(operator).get("/events/?state=reported&after=garbage")
    assert response.status_code == 400
    page = response.content.decode()
    assert "您无权" not in page  # not "you may not view this page"
    assert 'id="queue-error"' in page
    assert 'href="/events/?state=reported" id="queue-first-page"' in page


@pytest.mark.django_db
def test_the_queue_table_scrolls_in_its_own_box(operator, reporter, wenhui_point):
    event_report(user=reporter, data=report_data(wenhui_point), source="resident")
    page = signed_in(operator).get("/events/").content.decode()
    assert re.search(r'<div class="table-scroll">\s*<table class="grid-table queue-table"', page)
    assert '<td class="grid-name">' in page
