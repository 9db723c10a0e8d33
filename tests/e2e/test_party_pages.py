"""Party pages in a real browser: the organization tree, a branch's ranking published as a
quarterly 公示, a member's page, and the Party map."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.party.models import (
    Member,
    Organization,
    PointEntry,
    PointPublication,
    PointRule,
    ServiceCenter,
)
from gridgov.registry.models import Building, Compound, Household
from tests.e2e.conftest import screenshot
from tests.registry.factories import id_number

pytestmark = pytest.mark.browser
WENHUI = "530702001002"


@pytest.fixture
def branch(demo_city):
    community = Area.objects.get(code=WENHUI)
    grid = Area.objects.get(code=WENHUI + "001")
    committee = Organization.objects.create(
        name="文汇社区党总支", kind="general_branch", area=community
    )
    compound = Compound.objects.create(
        name="玉泉花园", area=grid, lon=100.235, lat=26.872, property_status="community"
    )
    building = Building.objects.create(
        compound=compound, name="3栋", area=grid, lon=100.235, lat=26.872
    )
    org = Organization.objects.create(
        name="玉泉花园党支部",
        kind="compound_branch",
        formation="single",
        area=grid,
        parent=committee,
    )
    org.compounds.add(compound)
    members = []
    for i, name in enumerate(["和丽华", "木强", "杨秀英"]):
        home = Household.objects.create(
            area=grid, lon=100.235, lat=26.872, number=f"YQ{i}", building=building
        )
        members.append(
            Member.objects.create(
                name=name,
                id_number=id_number(),
                phone="13908881234",
                gender="F",
                birth_date=dt.date(1975, 3, 1),
                status="formal",
                organization=org,
                household=home,
                area=grid,
            )
        )
    today = timezone.localdate()
    study = PointRule.objects.get(code="study")
    for member, times in zip(members, (3, 1, 2), strict=True):
        for _ in range(times):
            PointEntry.objects.create(
                member=member, rule=study, points=study.points, date=today, status="approved"
            )
    ServiceCenter.objects.create(
        name="文汇社区党群服务中心",
        kind="center",
        area=community,
        lon=100.236,
        lat=26.873,
        services="政策咨询\n便民办事",
    )
    User.objects.create(
        username="wenhui_secretary",
        role="party_secretary",
        area=community,
        is_staff=True,
        password=make_password("pw-party-1"),
    )
    return {"org": org, "members": members}


def test_tree_publication_member_and_map(browser, live_server, branch):
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/accounts/login/?next=/party/")
        page.fill("input[name=username]", "wenhui_secretary")
        page.fill("input[name=password]", "pw-party-1")
        page.click("button.primary")
        page.wait_for_url("**/party/")
        tree = page.locator("#org-tree").inner_text()
        assert "文汇社区党总支" in tree
        assert "玉泉花园党支部" in tree
        screenshot(page, "party-1-tree")

        page.click("text=玉泉花园党支部")
        ranking = page.locator("#ranking tbody tr")
        assert ranking.first.inner_text().split()[:3] == ["1", "和丽华", "106.0"]
        assert "13908881234" not in page.content()  # phones masked on the branch page
        page.click("#publish")
        page.wait_for_selector("#publications a")
        page.click("#publications a")
        page.wait_for_selector("#publication")
        rows = page.locator("#publication tbody tr").all_inner_texts()
        assert [r.split()[1] for r in rows] == ["和丽华", "杨秀英", "木强"]
        screenshot(page, "party-2-publication")

        page.goto(live_server.url + f"/party/member/{branch['members'][0].pk}/")
        assert page.locator("#member-name").inner_text().startswith("和丽华")
        assert page.locator("#entries tbody tr").count() == 3
        screenshot(page, "party-3-member")

        page.goto(live_server.url + "/party/map/")
        page.wait_for_selector(".party-pin")  # the service center
        # The community's grids drawn behind: one outline per grid, plus the branch markers.
        grids = Area.objects.filter(parent__code=WENHUI).count()
        page.wait_for_function(
            f"document.querySelectorAll('path.leaflet-interactive').length >= {grids}"
        )
        screenshot(page, "party-4-map")
    finally:
        context.close()
    publication = PointPublication.objects.get()
    assert publication.organization == branch["org"]
    assert publication.ranking[0]["points"] == "106.0"
