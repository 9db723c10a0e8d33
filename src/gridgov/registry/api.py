"""The registry API: one set of routes serves every kind in kinds.KINDS."""

from enum import Enum
from typing import Annotated

from django.http import HttpResponse
from ninja import Body, Field, Router, Status, UploadedFile

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import require_capability
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError
from gridgov.common.paging import page_slice
from gridgov.common.schemas import Id, ImportOut, Limit, Offset, errors, upload
from gridgov.registry import excel, selectors, services
from gridgov.registry.kinds import KINDS
from gridgov.registry.schemas import LinkedGrids, RecordIn, RecordOut, RecordPage

router = Router(tags=["registry"])

RecordKind = Enum("RecordKind", {key: key for key in KINDS}, type=str)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024
RecordsFile = upload("An Excel workbook, as the template")
# Excel answers are files, not JSON: declared by hand since ninja describes JSON bodies only.
XLSX_ANSWER = {
    "responses": {
        200: {
            "description": "An Excel workbook",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


AreaCode = Annotated[str, Field(max_length=24)]
SearchText = Annotated[str, Field(max_length=200)]


def _ip(request) -> str | None:
    return client_address(request)


@router.get(
    "/{kind}",
    response={200: RecordPage, **errors(400, 403, 404)},
    summary="Records of a kind in your area (personal data masked unless reveal)",
)
def records_list(
    request,
    kind: RecordKind,
    area: AreaCode | None = None,
    q: SearchText | None = None,
    reveal: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
):
    spec = services.kind_get(kind.value)
    queryset = selectors.records_filter(user=request.user, kind=spec, area_code=area, q=q)
    page = list(queryset[page_slice(offset, limit, 500)])
    items = selectors.records_as_dicts(
        user=request.user, kind=spec, records=page, reveal=reveal, ip=_ip(request)
    )
    return {"count": queryset.count(), "items": items}


@router.get(
    "/{kind}/template.xlsx",
    response=errors(403),
    openapi_extra=XLSX_ANSWER,
    summary="An empty Excel template for imports",
)
def records_template(request, kind: RecordKind):
    require_capability(request.user, Capability.REGISTRY_VIEW)
    response = HttpResponse(excel.template_bytes(kind.value), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind.value}-template.xlsx"'
    return response


@router.get(
    "/{kind}/export.xlsx",
    response=errors(400, 403, 404),
    openapi_extra=XLSX_ANSWER,
    summary="Records in Excel, with the same masking and audit as the API",
)
def records_export(request, kind: RecordKind, area: AreaCode | None = None, reveal: bool = False):
    content = excel.export_bytes(
        user=request.user, kind_key=kind.value, area_code=area, reveal=reveal, ip=_ip(request)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind.value}.xlsx"'
    return response


@router.post(
    "/{kind}/import",
    response={200: ImportOut, **errors(400, 403)},
    summary="Import an Excel file: good rows kept, bad rows reported",
)
def records_import(request, kind: RecordKind, file: UploadedFile = RecordsFile):
    if file.size and file.size > MAX_UPLOAD:
        raise DomainError("The file is larger than 20 MB.", code="too_large", field="file")
    return excel.import_bytes(user=request.user, kind_key=kind.value, content=file.read()).as_dict()


@router.put(
    "/units/{pk}/linked-grids",
    response={200: LinkedGrids, **errors(400, 403, 404)},
    summary="Set the grids a unit is linked to",
)
def unit_linked_grids(request, pk: Id, payload: LinkedGrids):
    return {
        "grid_codes": services.unit_link_grids(
            user=request.user, unit_id=pk, grid_codes=payload.grid_codes
        )
    }


@router.get("/{kind}/{pk}", response={200: RecordOut, **errors(403, 404)}, summary="One record")
def record_detail(request, kind: RecordKind, pk: Id, reveal: bool = False):
    spec = services.kind_get(kind.value)
    record = selectors.record_get(user=request.user, kind=spec, pk=pk)
    return selectors.records_as_dicts(
        user=request.user, kind=spec, records=[record], reveal=reveal, ip=_ip(request)
    )[0]


@router.post(
    "/{kind}",
    response={201: RecordOut, **errors(400, 403, 404, 409)},
    summary="Register a record; its grid comes from lon/lat",
)
def record_create(request, kind: RecordKind, payload: RecordIn = Body(...)):  # noqa: B008
    spec = services.kind_get(kind.value)
    record = services.record_create(user=request.user, kind_key=kind.value, data=payload)
    return Status(
        201, selectors.records_as_dicts(user=request.user, kind=spec, records=[record])[0]
    )


@router.patch(
    "/{kind}/{pk}",
    response={200: RecordOut, **errors(400, 403, 404, 409)},
    summary="Change some fields of a record",
)
def record_update(request, kind: RecordKind, pk: Id, payload: RecordIn = Body(...)):  # noqa: B008
    spec = services.kind_get(kind.value)
    record = services.record_update(user=request.user, kind_key=kind.value, pk=pk, data=payload)
    return selectors.records_as_dicts(user=request.user, kind=spec, records=[record])[0]


@router.delete(
    "/{kind}/{pk}",
    response={204: None, **errors(403, 404, 409)},
    summary="Delete a record no other record refers to",
)
def record_delete(request, kind: RecordKind, pk: Id):
    services.record_delete(user=request.user, kind_key=kind.value, pk=pk)
    return Status(204, None)
