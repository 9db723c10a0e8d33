"""The whistle chain in a browser (decision 0025): 文汇 whistled, the street's squad checked in
late, acted and reported back, the police station has not acted by its deadline; the
community rates the squad's response on the event page. Screenshots in Chinese and English
go to /tmp/shots_E/."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Department
from gridgov.events.models import Event, Summons
from gridgov.events.services import event_act, event_report
from gridgov.events.services.whistles import (
    summons_act,
    summons_check_in,
    summons_report,
    whistle_blow,
)
from tests.conftest import WENHUI

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots_E")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _user(username: str, role: str, area_code: str, department: Department | None = None):
    return User.objects.create(
        username=username,
        role=role,
        area=Area.objects.get(code=area_code),
        department=department,
        is_staff=True,
        password=make_password("pw-whistle-1"),
    )


def _signed_in(browser, live_server, locale: str, username: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/?next=/events/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-whistle-1")
    page.click("button.primary")
    page.wait_for_url("**/events/")
    return context, page


def _chain() -> Event:
    squad = Department.objects.get(name="西安街道综合执法中队")
    police = Department.objects.get(name="西安街道派出所")
    operator = _user("w_operator", "operator", "530702")
    staff = _user("w_community", "area_staff", WENHUI)
    handler = _user("w_squad", "department_handler", "530702001", squad)
    grid = Area.objects.filter(kind="grid", path__startswith=f"/530702/530702001/{WENHUI}/").first()
    from shapely.geometry import shape

    point = shape(grid.geometry).representative_point()
    event = event_report(
        user=None,
        data={
            "subclass": "0102",
            "description": "文汇路占道经营屡劝不改",
            "lon": point.x,
            "lat": point.y,
        },
        source="resident",
    )
    event_act(user=operator, event_id=event.pk, action="accept")
    whistle = whistle_blow(
        user=staff,
        event_id=event.pk,
        level="community",
        department_ids=[squad.pk, police.pk],
        reason="社区无执法权，需街道联合执法",
    )
    now = timezone.now()
    # Backdate the whistle a day and a half: the squad checked in late, the police are overdue.
    start = now - dt.timedelta(hours=36)
    whistle.__class__.objects.filter(pk=whistle.pk).update(at=start)
    Summons.objects.filter(whistle=whistle).update(
        check_in_due_at=start + dt.timedelta(hours=2),
        action_due_at=start + dt.timedelta(hours=24),
        report_due_at=start + dt.timedelta(hours=72),
    )
    mine = whistle.summonses.get(department=squad)
    Summons.objects.filter(pk=mine.pk).update(
        check_in_due_at=now - dt.timedelta(hours=3, minutes=20),
        action_due_at=now + dt.timedelta(hours=2),
    )
    summons_check_in(user=handler, summons_id=mine.pk)
    summons_act(user=handler, summons_id=mine.pk, note="已到场劝离摊贩")
    summons_report(user=handler, summons_id=mine.pk, report="已联合执法取缔，现场恢复通行")
    return event


@pytest.mark.parametrize(("locale", "tag"), [("zh-CN", "zh"), ("en-US", "en")])
def test_the_chain_is_timed_and_the_community_rates_the_response(
    browser, live_server, demo_city, locale, tag
):
    event = _chain()
    context, page = _signed_in(browser, live_server, locale, "w_community")
    try:
        page.goto(f"{live_server.url}/events/{event.pk}/")
        chain = page.locator("table.whistle-chain")
        chain.wait_for()
        assert page.locator("td.step-late").count() == 1  # the squad's check-in
        assert page.locator("td.step-overdue").count() >= 1  # the police's check-in and action
        chain.scroll_into_view_if_needed()
        _shot(page, f"whistle_chain_{tag}")
        page.select_option("form.rate-form select[name=rating]", "good")
        page.fill(
            "form.rate-form input[name=note]", "响应及时" if tag == "zh" else "Quick response"
        )
        page.click("form.rate-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("form.rate-form").count() == 0
        assert (
            Summons.objects.get(
                whistle__event=event, department__name="西安街道综合执法中队"
            ).rating
            == "good"
        )
        page.locator("table.whistle-chain").scroll_into_view_if_needed()
        _shot(page, f"whistle_chain_rated_{tag}")
    finally:
        context.close()


def test_the_big_screen_shows_overdue_whistles(browser, live_server, demo_city):
    _chain()  # the police station is past its check-in and action deadlines
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/accounts/login/?next=/screen/")
        page.fill("input[name=username]", "w_operator")
        page.fill("input[name=password]", "pw-whistle-1")
        page.click("button.primary")
        page.wait_for_url("**/screen/")
        line = page.locator("#screen-whistles")
        line.wait_for()
        assert "overdue" in (line.get_attribute("class") or "")
        assert "1" in line.inner_text()
        _shot(page, "big_screen_whistles_zh")
    finally:
        context.close()
