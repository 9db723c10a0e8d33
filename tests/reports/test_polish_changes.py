"""Issue 13 polish: a report says a change of a count as a number (and a share of the
previous count) and a change of a rate in percentage points, never "points" for both."""

import shutil
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from gridgov.areas.models import Area
from gridgov.reports.figures import report_figures
from gridgov.reports.pdf import count_change, hours_change, rate_change, report_pdf
from gridgov.reports.periods import period_parse

MARCH = period_parse("month", "2026-03")


def test_counts_change_by_a_number_and_a_share():
    assert count_change(4, 1) == "+3 (+300.0%)"
    assert count_change(3, 4) == "-1 (-25.0%)"
    assert count_change(2, 2) == "+0 (+0.0%)"
    # From nothing there is no share to give.
    assert count_change(5, 0) == "+5"


def test_rates_change_in_percentage_points():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            unit = pgettext("a change of a rate", "%(change)s pp")
            assert rate_change(-0.25) == unit % {"change": "-25.00"}
            assert rate_change(0.0123) == unit % {"change": "+1.23"}
            assert rate_change(None) == "—"
    with translation.override("zh-hans"):
        assert pgettext("a change of a rate", "%(change)s pp") != "%(change)s pp"


def test_hours_change_with_its_unit():
    with translation.override("en"):
        assert hours_change(12.5, 10.0) == pgettext("a change of working hours", "%(change)s h") % {
            "change": "+2.5"
        }
    assert hours_change(None, 3.0) == "—"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_summary_says_each_change_in_its_unit(district, tmp_path):
    # March against February: 4 reported against 1, closure 75% against 100%.
    with translation.override("zh-hans"):
        figures = report_figures(
            area=Area.objects.get(code="530702"), period=MARCH, now=district["now"]
        )
        content = report_pdf(figures)
        rate_unit = pgettext("a change of a rate", "%(change)s pp")
    (tmp_path / "report.pdf").write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout.decode()
    assert "+3 (+300.0%)" in text
    assert rate_unit % {"change": "-25.00"} in text
