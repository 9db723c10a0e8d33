"""Triage at the desk in a browser (decision 0024): the operator takes the classifier's
suggestion with one click, picks a ready answer, files the report, and sees the urgent
alarm on the event page, in the queue and on the big screen. Screenshots in Chinese and
English go to /tmp/shots_C/."""

from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.events.models import Event, ResponseTemplate, Subclass
from gridgov.events.services import event_report
from gridgov.events.workflow import State

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots_C")
GAS = "0403"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _signed_in(browser, live_server, locale: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/?next=/events/")
    page.fill("input[name=username]", "triage_operator")
    page.fill("input[name=password]", "pw-triage-1")
    page.click("button.primary")
    page.wait_for_url("**/events/")
    return context, page


def _report(point, text: str) -> Event:
    return event_report(
        user=None,
        data={"subclass": "0102", "description": text, "lon": point.x, "lat": point.y},
        source="resident",
    )


def test_operator_takes_the_suggestion_and_sees_the_alarm(browser, live_server, demo_city):
    User.objects.create(
        username="triage_operator",
        role="operator",
        area=Area.objects.get(code="530702"),
        is_staff=True,
        password=make_password("pw-triage-1"),
    )
    gas = Subclass.objects.get(code=GAS)
    # The shipped ready answer (migration 0016), made again if a flush removed it.
    ready, _ = ResponseTemplate.objects.get_or_create(
        subclass=gas,
        title="燃气泄漏 · 已通知抢修",
        defaults={
            "public_reply": "燃气抢修人员正赶往现场，请开窗通风并撤离。",
            "internal_note": "通知燃气公司抢修",
        },
    )
    point = shape(Area.objects.get(code="530702001002001").geometry).representative_point()
    event = _report(point, "楼道里燃气泄漏，很浓的煤气味")

    for locale, suffix in (("zh-CN", "zh-hans"), ("en-US", "en")):
        context, page = _signed_in(browser, live_server, locale)
        try:
            if suffix == "en":  # a second report to show the form in English
                event = _report(point, "小区门口煤气泄漏，闻到燃气味")
            page.goto(f"{live_server.url}/events/{event.pk}/")
            box = page.locator("#triage")
            box.wait_for()
            first = box.locator("button.suggestion").first
            assert first.get_attribute("data-subclass") == str(gas.pk)
            assert "燃气" in first.inner_text()  # the deciding words are shown
            first.click()
            assert page.locator("#triage-subclass").input_value() == str(gas.pk)
            assert page.locator("#triage-urgency").input_value() == "critical"
            assert page.locator("#triage-urgent-hint").is_visible()
            page.select_option("#triage-template", label=f"{GAS} 燃气泄漏 · 已通知抢修")
            assert page.locator("#public-reply").input_value() == ready.public_reply
            form = page.locator("form.action[data-action=accept]")
            assert form.locator("input[name=comment]").input_value() == ready.internal_note
            _shot(page, f"triage_form_{suffix}")
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("networkidle")
            page.locator("#event-urgent").wait_for()
            event.refresh_from_db()
            assert (event.state, event.subclass.code, event.urgency) == (
                State.FILED,
                GAS,
                "critical",
            )
            assert ready.public_reply in page.locator("#timeline").inner_text()
            _shot(page, f"triage_filed_{suffix}")

            page.goto(f"{live_server.url}/events/")
            row = page.locator("#queue tr", has_text=event.number)
            row.locator(".alarm").wait_for()
            _shot(page, f"triage_queue_{suffix}")

            page.goto(f"{live_server.url}/screen/")
            # The wall's alarm strip (decision 0039) names the urgent event.
            page.locator("#cc-alarms[data-state='urgent']").wait_for()
            page.wait_for_function(
                f"document.getElementById('cc-alarms').textContent.includes('{event.number}')"
            )
            _shot(page, f"triage_screen_{suffix}")
        finally:
            context.close()
