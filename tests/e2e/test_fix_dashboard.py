"""Issue 13: the dashboard's change arrows say up/down (colour says better/worse), and in
English at 1440 px the ranking table shows its last column ("events →") inside the page."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_leaders_dashboard import _charts_drawn, _signed_in, leader

pytestmark = pytest.mark.browser
__all__ = ["leader"]

ARROWS = """() => [...document.querySelectorAll('.dash-change')].map(node => ({
  text: node.textContent.trim(),
  direction: node.dataset.direction,
  trend: node.dataset.trend,
  arrow: getComputedStyle(node, '::before').content,
}))"""

LAST_COLUMN = """() => {
  const box = document.querySelector('.dash-table-box').getBoundingClientRect();
  const cells = [...document.querySelectorAll('#dash-table tbody tr[data-key] td:last-child')];
  return {
    box_right: box.right,
    page_width: document.documentElement.clientWidth,
    page_scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    rights: cells.map(c => c.getBoundingClientRect().right),
  };
}"""


def test_arrows_and_the_ranking_table_in_english(browser, live_server, leader):
    context, page = _signed_in(browser, live_server, {"width": 1440, "height": 900}, "en")
    try:
        page.wait_for_url("**/leaders/")
        page.goto(live_server.url + "/leaders/?period=quarter")
        _charts_drawn(page)
        changes = page.evaluate(ARROWS)
        assert changes
        for change in changes:
            sign = change["text"][:1]
            if change["trend"] == "same":
                assert change["direction"] == "same", change
                assert change["arrow"] == "none", change
            else:
                assert change["direction"] == ("down" if sign == "-" else "up"), change
                assert change["arrow"] == ('"▼ "' if sign == "-" else '"▲ "'), change
        layout = page.evaluate(LAST_COLUMN)
        assert layout["rights"]
        assert not layout["page_scrolls"], layout
        assert layout["box_right"] <= layout["page_width"], layout
        # The "events →" column is on screen, not cut by the box.
        assert max(layout["rights"]) <= layout["box_right"] + 1, layout
        screenshot(page, "fix_dashboard_ranking_en")
    finally:
        context.close()
