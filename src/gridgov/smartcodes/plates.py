"""Printable plates: QR code, place name, code number, issuing unit. One per page or an A4
sheet of 12. QR modules are drawn as vector rectangles, a run of dark modules per rectangle,
so 15,000 plates stay small and fast. Chinese text uses the PDF standard CID font
STSong-Light, which every PDF reader supplies: no font file ships or embeds."""

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from io import BytesIO

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
COLUMNS, ROWS = 3, 4


def qr_runs(data: str) -> tuple[int, str]:
    """The QR symbol as PDF path operators in module units: one rectangle per run of dark
    modules in a row. Module-level so a process pool can compute many at once."""
    matrix = segno.make(data, error="m", micro=False, boost_error=False).matrix
    size = len(matrix)
    ops = []
    for row_index, row in enumerate(matrix):
        y = size - 1 - row_index
        start = None
        for col, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {y} {col - start} 1 re")
                start = None
    return size, " ".join(ops)


def _qr(canvas: Canvas, runs: tuple[int, str], x: float, y: float, size: float) -> None:
    modules, ops = runs
    canvas.saveState()
    canvas.transform(size / modules, 0, 0, size / modules, x, y)  # draw in module units
    canvas.setFillColorRGB(0, 0, 0)
    canvas._code.append(
        ops + " f"
    )  # raw operators: formatting 15,000 × 200 rectangles one by one is the slow part
    canvas.restoreState()


def _plate(canvas: Canvas, plate: dict, x: float, y: float, width: float, height: float) -> None:
    canvas.setLineWidth(0.6)
    canvas.setStrokeColorRGB(0.72, 0.11, 0.11)
    canvas.roundRect(x + 2 * mm, y + 2 * mm, width - 4 * mm, height - 4 * mm, 3 * mm)
    qr = min(width, height) * 0.55
    _qr(canvas, plate["runs"], x + (width - qr) / 2, y + height - qr - 8 * mm, qr)
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(x + width / 2, y + 18 * mm, plate["name"][:22])
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(x + width / 2, y + 12 * mm, plate["serial"])
    canvas.drawCentredString(x + width / 2, y + 7 * mm, plate["issuer"][:30])


def plates_pdf(
    plates: Iterable[dict], *, sheet: bool = True, progress: Callable[[float], None] | None = None
) -> bytes:
    """plates: dicts with url, name, serial, issuer. progress: called with 0–1 as work goes on
    (the QR symbols are about 70% of the work, drawing the rest)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("gridgov plates")
    page_width, page_height = A4
    per_page = COLUMNS * ROWS if sheet else 1
    width, height = (
        (page_width / COLUMNS, page_height / ROWS) if sheet else (page_width, page_height)
    )
    plates = list(plates)
    total = max(1, len(plates))
    urls = [p["url"] for p in plates]
    runs = []
    if len(urls) > 500:
        # Choosing each symbol's best mask is most of the work: spread it over the cores.
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for runs_of_one in pool.map(qr_runs, urls, chunksize=250):
                runs.append(runs_of_one)
                if progress and len(runs) % 1000 == 0:
                    progress(0.7 * len(runs) / total)
    else:
        runs = [qr_runs(url) for url in urls]
    count = 0
    for count, plate in enumerate(plates, start=1):
        plate = {**plate, "runs": runs[count - 1]}
        slot = (count - 1) % per_page
        if slot == 0 and count > 1:
            canvas.showPage()
        column, row = slot % COLUMNS if sheet else 0, slot // COLUMNS if sheet else 0
        _plate(canvas, plate, column * width, page_height - (row + 1) * height, width, height)
        if progress and count % 1000 == 0:
            progress(0.7 + 0.3 * count / total)
    if count == 0:
        canvas.setFont(FONT, 12)
        canvas.drawString(20 * mm, page_height - 20 * mm, "—")
    canvas.save()
    return buffer.getvalue()
