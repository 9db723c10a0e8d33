"""Stored script payloads in every free-text field people fill, opened on every page that
shows them, as three roles, under the production Content-Security-Policy: no script runs
and our own code causes no CSP violation.

Before the fix, `esc()` left quotes alone and was used inside attributes: a worker's phone
`"><svg onload=…>` ran script on the big screen of every operator.
"""

import datetime as dt

import pytest
from django.utils import timezone
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError
from gridgov.config import settings as production_settings
from gridgov.dispatch.models import WorkerPosition
from gridgov.events.services import event_act, event_report
from gridgov.party.models import Member, Organization, ServiceCenter
from tests.registry.factories import id_number

pytestmark = pytest.mark.browser

# In text, in double- and single-quoted attributes, and in a JavaScript string.
PAYLOAD = "<img src=x onerror=window.__xss=1>\"><svg onload=window.__xss=1>'-alert(1)-'"
PHONE = '"><svg onload=a>'  # fits a phone field (20 characters)
GRID = "530702001002001"


@pytest.fixture
def hostile_data(demo_city):
    """The payload in descriptions, addresses, comments, names, phones and Party names."""
    operator = User.objects.get(username="operator")
    grid = Area.objects.get(code=GRID)
    point = shape(grid.geometry).representative_point()
    worker = User.objects.get(username="grid_worker")
    User.objects.filter(pk=worker.pk).update(first_name=PAYLOAD[:150], last_name="", phone=PHONE)
    WorkerPosition.objects.update_or_create(
        user=worker, defaults={"lon": point.x + 0.001, "lat": point.y, "at": timezone.now()}
    )
    data = {"subclass": "0102", "description": PAYLOAD, "address": PAYLOAD[:200]}
    on_screen = event_report(
        user=None,
        data=data | {"lon": point.x, "lat": point.y, "reporter_name": PAYLOAD[:50]},
        source="resident",
    )
    event_act(user=operator, event_id=on_screen.pk, action="accept", comment=PAYLOAD)
    for_worker = event_report(
        user=None, data=data | {"lon": point.x, "lat": point.y}, source="resident"
    )
    try:
        event_act(user=operator, event_id=for_worker.pk, action="accept", comment=PAYLOAD)
        event_act(
            user=operator,
            event_id=for_worker.pk,
            action="dispatch",
            comment=PAYLOAD,
            data={"assignee_ids": [worker.pk]},
        )
    except DomainError:
        pass  # the worker's task list is then empty; the other pages still show the payload
    community = Area.objects.get(code=GRID[:12])
    org = Organization.objects.create(name=PAYLOAD[:100], kind="general_branch", area=community)
    member = Member.objects.create(
        name=PAYLOAD[:50],
        id_number=id_number(),
        phone="13908881234",
        gender="F",
        birth_date=dt.date(1975, 3, 1),
        status="formal",
        organization=org,
        area=grid,
    )
    ServiceCenter.objects.create(
        name=PAYLOAD[:100],
        kind="center",
        area=community,
        lon=point.x,
        lat=point.y,
        services=PAYLOAD,
    )
    return {"event": on_screen, "task": for_worker, "org": org, "member": member}


def _pages(role: str, data: dict) -> list[str]:
    event, org, member = data["event"].pk, data["org"].pk, data["member"].pk
    staff = [
        "/events/",
        f"/events/{event}/",
        f"/screen/#event={event}",
        "/map/",
        "/party/",
        f"/party/org/{org}/",
        f"/party/member/{member}/",
        "/party/map/",
        "/inbox/",
        "/report/",
    ]
    if role == "admin":
        return [
            *staff,
            "/admin/events/event/",
            f"/admin/events/event/{event}/change/",
            "/admin/accounts/user/",
            "/admin/party/organization/",
            "/admin/party/member/",
            "/admin/party/servicecenter/",
            "/api/docs",
        ]
    if role == "grid_worker":
        return ["/app/", f"/events/{data['task'].pk}/", "/map/", "/report/"]
    return staff


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "admin1234"), ("operator", "demo1234"), ("grid_worker", "demo1234")],
)
def test_no_stored_payload_runs_anywhere(
    browser, live_server, settings, hostile_data, username, password
):
    # The production policy, enforced (the suite's default is report-only).
    settings.CONTENT_SECURITY_POLICY = production_settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    problems: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "dialog",
            lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()),
        )
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and "Content Security Policy" in message.text
                and problems.append(f"{page.url}: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button.primary")
        page.wait_for_load_state("networkidle")
        for path in _pages(username, hostile_data):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            if path.startswith("/screen/"):
                # The card of the event opens with the nearest workers, names and phones.
                page.wait_for_selector("#event-card .worker-row, #event-card p")
                page.wait_for_timeout(500)
            if path == "/map/" and page.locator("#map path.leaflet-interactive").count():
                page.locator("#map path.leaflet-interactive").first.dispatch_event("click")
                page.wait_for_timeout(500)
            if path == "/party/map/":
                page.wait_for_timeout(800)
                for marker in page.locator("#party-map .party-pin").all()[:3]:
                    marker.dispatch_event("click")
                page.wait_for_timeout(300)
            ran = page.evaluate("() => window.__xss")
            assert ran is None, f"script ran on {path} as {username}"
    finally:
        context.close()
    assert not problems, problems
