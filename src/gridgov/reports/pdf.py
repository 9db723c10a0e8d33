"""A report as a PDF: the district's title on every page, the summary with the previous
period beside it, charts (reportlab.graphics: closure rate by area, reports by category, the
trend), the ranked tables, and "page x of y" in the footer. Chinese text uses the CID font
STSong-Light, which every PDF reader supplies (as the smartcodes plates do): no font file
ships or embeds."""

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak, KeepTogether

from gridgov.common.text import xml_safe
from gridgov.reports.figures import RATE_KEYS, rate_labels
from gridgov.reports.labels import period_title, table_titles

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
WIDTH, HEIGHT = A4
MARGIN = 16 * mm
BLUE = colors.HexColor("#1f5fa8")
ORANGE = colors.HexColor("#e07b28")
HEADER_BG = colors.HexColor("#dce6f1")
# Rows of a ranked table in the PDF (the workbook has them all): a district has about ten
# streets, a street a dozen communities; departments and categories beyond are in the xlsx.
MAX_TABLE_ROWS = 30
# Room a heading needs below it on the page: itself, the table's header and a few rows.
HEADING_WITH_ROWS = 45 * mm

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=TA_CENTER)
SUBTITLE = ParagraphStyle("subtitle", fontName=FONT, fontSize=11, leading=16, alignment=TA_CENTER)
HEADING = ParagraphStyle(
    "heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4, textColor=BLUE
)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=8, leading=11, textColor=colors.grey)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def points(value: float | None) -> str:
    """A change of a rate (0..1) in percentage points, the number alone (a column's header
    names the unit)."""
    return "—" if value is None else f"{value * 100:+.2f}"


def rate_change(value: float | None) -> str:
    """A change of a rate with its unit: a rate of 50% that becomes 75% rose by 25
    percentage points, not by 25% (that would be 62.5%)."""
    if value is None:
        return "—"
    return pgettext("a change of a rate", "%(change)s pp") % {"change": points(value)}


def count_change(now: int, before: int) -> str:
    """A change of a count: by how many, and by what share of the previous count when there
    was one (from nothing, a share says nothing)."""
    change = now - before
    if not before:
        return f"{change:+d}"
    return f"{change:+d} ({change / before * 100:+.1f}%)"


def hours_change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    return pgettext("a change of working hours", "%(change)s h") % {
        "change": f"{now - before:+.1f}"
    }


def _text(value: Any) -> str:
    """Text for a Paragraph: reportlab reads its markup, so <, > and & are escaped."""
    text = xml_safe(str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _NumberedCanvas(Canvas):
    """Keeps every page until the end so that each footer can say how many pages there are."""

    def __init__(self, *args, title: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._title = title

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        self.setFont(FONT, 8)
        self.setFillColor(colors.grey)
        self.drawString(MARGIN, HEIGHT - 10 * mm, self._title)
        self.line(MARGIN, HEIGHT - 11.5 * mm, WIDTH - MARGIN, HEIGHT - 11.5 * mm)
        footer = _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total}
        self.drawCentredString(WIDTH / 2, 9 * mm, footer)


def _table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
    data = [[Paragraph(_text(h), CELL) for h in header]]
    data += [[Paragraph(_text(v), CELL) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f7fa")]),
            ]
        )
    )
    return table


def _summary(figures: dict) -> Table:
    labels = rate_labels()
    now, before = figures["summary"], figures["summary_previous"]
    counts = [
        ("reported", _("Reported")),
        ("due_to_close", _("Due to close")),
        ("closed", _("Closed")),
    ]
    rows: list[list[Any]] = [
        [label, now[key], before[key], count_change(now[key], before[key])] for key, label in counts
    ]
    for key in (*RATE_KEYS, "score"):
        change = None
        if now[key] is not None and before[key] is not None:
            change = now[key] - before[key]
        rows.append([labels[key], percent(now[key]), percent(before[key]), rate_change(change)])
    key = "average_handling_hours"
    rows.append(
        [
            labels[key],
            now[key] if now[key] is not None else "—",
            before[key] if before[key] is not None else "—",
            hours_change(now[key], before[key]),
        ]
    )
    header = [_("Indicator"), _("This period"), _("Previous period"), _("Change")]
    usable = WIDTH - 2 * MARGIN
    return _table(header, rows, [usable * 0.4, usable * 0.2, usable * 0.2, usable * 0.2])


def _ranked(rows: list[dict], name_header: str) -> Table:
    labels = rate_labels()
    header = [
        _("Rank"),
        name_header,
        _("Reported"),
        _("Closed"),
        labels["closure_rate"],
        labels["on_time_closure_rate"],
        labels["satisfaction_rate"],
        labels["score"],
        _("Closure rate change (percentage points)"),
    ]
    body = [
        [
            r["rank"],
            r["name"],
            r["reported"],
            r["closed"],
            percent(r["closure_rate"]),
            percent(r["on_time_closure_rate"]),
            percent(r["satisfaction_rate"]),
            percent(r["score"]),
            points(r["closure_change"]),
        ]
        for r in rows[:MAX_TABLE_ROWS]
    ]
    usable = WIDTH - 2 * MARGIN
    widths = [0.06, 0.22, 0.09, 0.09, 0.1, 0.12, 0.1, 0.1, 0.12]
    return _table(header, body, [usable * w for w in widths])


def _bars(rows: list[dict], value: str, caption: str, as_percent: bool) -> Drawing:
    """Horizontal bars, one per row (names are long Chinese words: they read better across)."""
    # The largest first, whatever order the table below ranks them in.
    shown = sorted((r for r in rows if r[value] is not None), key=lambda r: -r[value])[:15]
    height = 30 + 16 * max(1, len(shown))
    drawing = Drawing(WIDTH - 2 * MARGIN, height + 20)
    drawing.add(String(0, height + 8, caption, fontName=FONT, fontSize=10))
    if not shown:
        drawing.add(
            String(
                0,
                height - 10,
                _("No figures for this period."),
                fontName=FONT,
                fontSize=9,
                fillColor=colors.grey,
            )
        )
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 10
    chart.width, chart.height = WIDTH - 2 * MARGIN - 190, height - 20
    values = [r[value] * 100 if as_percent else r[value] for r in reversed(shown)]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [str(r["name"])[:14] for r in reversed(shown)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100 if as_percent else max(1, max(values) * 1.15)
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    chart.barLabelFormat = "%.1f%%" if as_percent else "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _trend_chart(trend: list[dict]) -> Drawing:
    height = 170
    drawing = Drawing(WIDTH - 2 * MARGIN, height + 4)
    if not trend:
        drawing.add(
            String(
                0,
                height - 10,
                _("No figures for this period."),
                fontName=FONT,
                fontSize=9,
                fillColor=colors.grey,
            )
        )
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 35
    chart.width, chart.height = WIDTH - 2 * MARGIN - 140, height - 50
    chart.data = [[r["reported"] for r in trend], [r["closed"] for r in trend]]
    step = max(1, len(trend) // 12)
    chart.categoryAxis.categoryNames = [
        r["label"][5:] if i % step == 0 else "" for i, r in enumerate(trend)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = BLUE
    chart.lines[0].strokeWidth = 1.5
    chart.lines[1].strokeColor = ORANGE
    chart.lines[1].strokeWidth = 1.5
    chart.joinedLines = 1
    for line, colour in ((0, BLUE), (1, ORANGE)):
        chart.lines[line].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 2 * MARGIN - 90, height - 10
    legend.fontName = FONT
    legend.fontSize = 8
    legend.colorNamePairs = [(BLUE, _("Reported")), (ORANGE, _("Closed"))]
    drawing.add(legend)
    return drawing


def _period_note(figures: dict) -> str:
    """The period's days; a period still running says it is reported to date."""
    period, previous = figures["period"], figures["previous_period"]
    values = {
        "first": period["start"],
        "last": period["last_day"],
        "day": period.get("as_of"),  # absent from figures made before it was added
        "previous": previous["key"],
        "made": figures["generated_at"],
    }
    if values["day"]:
        return (
            _("%(first)s to date (as of %(day)s); compared with %(previous)s. Made %(made)s.")
            % values
        )
    return _("%(first)s to %(last)s; compared with %(previous)s. Made %(made)s.") % values


def report_pdf(figures: dict) -> bytes:
    """The PDF of `report_figures`."""
    buffer = io.BytesIO()
    title = figures["title"]
    subtitle = f"{figures['area']['name']}  {period_title(figures)}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {subtitle}",
        author=title,
    )
    titles = table_titles()
    labels = rate_labels()
    child = _("Street") if figures["area"]["kind"] == "county" else _("Area")
    story: list = [
        Paragraph(_text(title), TITLE),
        Paragraph(_text(subtitle), SUBTITLE),
        Paragraph(_text(_period_note(figures)), NOTE),
        Spacer(1, 6),
        Paragraph(_text(titles["summary"]), HEADING),
        _summary(figures),
        Paragraph(
            _text(
                _(
                    "Closure rate = closed ÷ due to close; rates read from the daily rollups "
                    "(docs/rates.md)."
                )
            ),
            NOTE,
        ),
        KeepTogether(
            [
                Paragraph(_text(titles["areas"]), HEADING),
                _bars(figures["areas"], "closure_rate", labels["closure_rate"], True),
            ]
        ),
        _ranked(figures["areas"], child),
        KeepTogether([Paragraph(_text(titles["trend"]), HEADING), _trend_chart(figures["trend"])]),
        KeepTogether(
            [
                Paragraph(_text(titles["categories"]), HEADING),
                _bars(figures["categories"], "reported", _("Reported"), False),
            ]
        ),
        _ranked(figures["categories"], _("Category")),
        # A heading left alone at the foot of a page: start a new page unless the heading
        # and the first rows of its table fit.
        CondPageBreak(HEADING_WITH_ROWS),
        Paragraph(_text(titles["departments"]), HEADING),
        _ranked(figures["departments"], _("Department")),
        CondPageBreak(HEADING_WITH_ROWS),
        Paragraph(_text(titles["sources"]), HEADING),
        _ranked(figures["sources"], _("Source")),
    ]
    document.build(
        story,
        canvasmaker=lambda *args, **kwargs: _NumberedCanvas(*args, title=title, **kwargs),
    )
    return buffer.getvalue()
