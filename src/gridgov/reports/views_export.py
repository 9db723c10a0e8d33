"""The event export's response, shared by the page (/reports/export/events.<format>, the
queue's link) and the API (GET /api/v1/reports/events-export)."""

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.common.xlsx import XLSX_TYPE
from gridgov.reports.export import csv_chunks, event_export_start, xlsx_file


def export_response(user: User, filters: dict, fmt: str, ip: str | None) -> HttpResponse:
    """The file, streamed; a DomainError (bad filter, too many rows, no right) propagates
    before anything is written, for the caller to answer 400/403."""
    export, ids = event_export_start(user=user, raw_filters=filters, fmt=fmt, ip=ip)
    name = f"events-{timezone.localtime(export.at):%Y%m%d-%H%M}-{export.pk}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(ids, export.masked), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = FileResponse(
            xlsx_file(ids, export.masked),
            as_attachment=True,
            filename=name,
            content_type=XLSX_TYPE,
        )
    response["X-Export-Rows"] = str(export.rows)
    response["Cache-Control"] = "no-store"  # personal data: not kept by a browser or proxy
    return response
