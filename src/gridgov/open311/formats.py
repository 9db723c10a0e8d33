"""GeoReport v2 bodies in JSON or XML, and errors in the standard shape.

Every XML body of Open311 (discovery, services, service definitions, requests, tokens,
errors) is built by `render`, so its element text is made XML-safe in one place.
"""

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

from gridgov.common.text import xml_safe

# The XML element that wraps each item of a list, by the list's element.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "keywords": "keyword",
}


def _xml(parent: ET.Element, key: str, value: Any) -> None:
    if isinstance(value, list):
        container = ET.SubElement(parent, key)
        for item in value:
            if isinstance(item, dict):
                element = ET.SubElement(container, ITEM.get(key, "item"))
                for k, v in item.items():
                    _xml(element, k, v)
            else:
                ET.SubElement(container, ITEM.get(key, "item")).text = _text(item)
    elif isinstance(value, dict):
        element = ET.SubElement(parent, key)
        for k, v in value.items():
            _xml(element, k, v)
    else:
        ET.SubElement(parent, key).text = _text(value)


def _text(value: Any) -> str:
    """Element text. Characters XML 1.0 forbids are dropped here, the one place every XML
    body passes: ElementTree would write them and every client's parser would then refuse the
    whole document (a resident's vertical tab broke requests.xml for everyone)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def render(body: Any, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`body` is a list (wrapped in `root`, one ITEM[root] per entry) or a dict (the root's children)."""
    if fmt == "json":
        return JsonResponse(
            body, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    element = ET.Element(root)
    if isinstance(body, list):
        for item in body:
            child = ET.SubElement(element, ITEM.get(root, "item"))
            for key, value in item.items():
                _xml(child, key, value)
    else:
        for key, value in body.items():
            _xml(element, key, value)
    xml = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(xml, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(
        [{"code": status, "description": description}],
        fmt if fmt in ("json", "xml") else "json",
        "errors",
        status=status,
    )


class GeoReportError(Exception):
    """Any refusal of an Open311 request: rendered as [{code, description}] with `status`."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def format_of_path(path: str) -> str:
    """The format a client asked for by its suffix; JSON when it named none we speak."""
    return "xml" if path.rstrip("/").endswith(".xml") else "json"
