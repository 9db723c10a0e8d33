"""Every GeoReport v2 response of the contract tests, read and validated against the JSON
schemas of tests/open311/schemas (written from the spec, http://wiki.open311.org/GeoReport_v2).

XML bodies are read into the same shape (lists for the spec's list elements, text for the
rest, an empty element as null) and validated against the same schema, where a number or a
boolean may be its text: XML has no other types.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).parent / "schemas"
ROOT = {
    "discovery": "discovery",
    "services": "services",
    "service_definition": "service_definition",
    "service_requests": "service_requests",
    "post_response": "service_requests",
    "token": "service_requests",
    "errors": "errors",
}
LISTS = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats"}


def _loosened(node: Any) -> Any:
    """The schema as XML can meet it: numbers and booleans may come as their text."""
    if isinstance(node, dict):
        node = {key: _loosened(value) for key, value in node.items()}
        kinds = node.get("type")
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            if {"number", "integer", "boolean"} & set(kinds) and "string" not in kinds:
                node["type"] = [*kinds, "string"]
        return node
    if isinstance(node, list):
        return [_loosened(value) for value in node]
    return node


@cache
def validator(kind: str, fmt: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(_loosened(copy.deepcopy(schema)) if fmt == "xml" else schema)


def _element(element: ET.Element) -> Any:
    if element.tag in LISTS:
        return [_element(child) for child in element]
    if len(element):
        return {child.tag: _element(child) for child in element}
    return element.text if element.text else None


def document(response, fmt: str, kind: str) -> Any:
    """The response's body as data, once it is valid: `kind` on success, errors otherwise.
    Also checks the content type and, in XML, the root element."""
    if response.status_code >= 400:
        kind = "errors"
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        data = json.loads(response.content)
    else:
        assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
        root = ET.fromstring(response.content)
        assert root.tag == ROOT[kind], root.tag
        data = _element(root)
    errors = sorted(validator(kind, fmt).iter_errors(data), key=str)
    assert not errors, (
        f"{kind}.{fmt} does not match its schema: {errors[0].message} at {list(errors[0].absolute_path)}"
    )
    if kind == "errors":
        assert int(data[0]["code"]) == response.status_code
    return data


def error_text(response, fmt: str) -> str:
    """The description of the first error, after the body is validated."""
    return document(response, fmt, "errors")[0]["description"]
