"""The wall read from 5 m (tester's fix 2, decision 0039): at 1920×1080 in Chinese and English
the open-by-area chart names every bar it draws and says how many it left out, bars and their
value labels never overlap; whistles left out are counted ("+k more") and the panel keeps no
empty room under them; chain steps and camera captions are at least 20 px."""

import pytest
from django.contrib.auth.hashers import make_password

from gridgov.accounts.models import User
from gridgov.areas.models import Area
from gridgov.events.models import Summons, Whistle
from tests.e2e.conftest import screenshot
from tests.e2e.test_screen_command import _report, _set_language, _world

pytestmark = pytest.mark.browser


def _streets_with_events():
    # Open events in every street of the district: more bars than the chart holds.
    from shapely.geometry import shape

    for street in Area.objects.filter(parent__code="530702"):
        grid = Area.objects.filter(code__startswith=street.code, geometry__isnull=False).last()
        if grid is None:
            continue
        point = shape(grid.geometry).representative_point()
        try:
            _report(point)
        except Exception:  # a street without a reportable point: fewer bars, still enough
            continue


def _layout(page):
    return page.evaluate(
        """() => {
        const box = document.getElementById('chart-areas');
        const chart = echarts.getInstanceByDom(box);
        const option = chart.getOption();
        const names = option.yAxis[0].data;
        const keys = box.dataset.keys.split(',').filter(Boolean);
        const wh = document.getElementById('panel-whistles');
        const list = document.getElementById('cc-whistles');
        const px = (sel) => [...document.querySelectorAll(sel)].map(
            (n) => parseFloat(getComputedStyle(n).fontSize));
        return {names, keys: keys.length, shown: Number(box.dataset.shown),
          barsHeight: box.clientHeight, more: document.getElementById('areas-more').textContent,
          whistles: document.querySelectorAll('.cc-whistle').length,
          whistlesShown: Number(wh.dataset.shown),
          whistleMore: document.getElementById('whistle-more').textContent,
          gap: wh.getBoundingClientRect().bottom - list.getBoundingClientRect().bottom,
          steps: px('.cc-chain .step'), captions: px('.cc-camera figcaption')};
    }"""
    )


def test_the_wall_is_readable_from_five_metres(browser, live_server, demo_city):
    operator, _worker, _point = _world()
    _streets_with_events()
    first = Whistle.objects.get()
    for i in range(5):  # six whistles: more than the panel holds at 20 px
        whistle = Whistle.objects.create(
            event=first.event, level="street", by=operator, reason=str(i)
        )
        Summons.objects.create(
            whistle=whistle,
            department=Summons.objects.first().department,
            check_in_due_at=first.summonses.first().check_in_due_at,
        )
    User.objects.filter(pk=operator.pk).update(password=make_password("pw-wall-1"))
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server.url + "/accounts/login/?next=/screen/")
        page.fill("input[name=username]", "wall_operator")
        page.fill("input[name=password]", "pw-wall-1")
        page.click("button.primary")
        page.wait_for_url("**/screen/")
        for code in ("zh-hans", "en"):
            if code == "en":
                _set_language(page, "en")
                page.goto(live_server.url + "/screen/")
            page.wait_for_selector("#panel-whistles:not([hidden]) .cc-chain .step")
            page.wait_for_selector("#panel-cameras:not([hidden]) .cc-camera")
            page.wait_for_function("document.getElementById('chart-areas').dataset.shown")
            page.wait_for_timeout(500)
            got = _layout(page)
            screenshot(page, f"screen-wall-fix2-{code}")
            # Every bar drawn has its own name: as many names as bars, each a row of ≥ 32 px.
            assert got["shown"] == len(got["names"]) >= 2
            assert got["barsHeight"] / got["shown"] >= 32
            left = got["keys"] - got["shown"]
            assert (str(left) in got["more"]) if left > 0 else got["more"] == ""
            # Whistles: those that fit are shown whole, the others counted, no empty room.
            assert got["whistles"] == 6
            assert 1 <= got["whistlesShown"] < 6
            assert str(6 - got["whistlesShown"]) in got["whistleMore"]
            assert got["gap"] < 60
            assert min(got["steps"]) >= 20
            assert min(got["captions"]) >= 20
    finally:
        context.close()
