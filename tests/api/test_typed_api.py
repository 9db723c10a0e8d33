"""The typed API (issue 8, items 8 and 12): every operation states what it answers, and
hostile numbers in paths and queries are a 422 in our error shape, never a 500."""

import pytest
from django.test import Client

from gridgov.canvass.models import Campaign
from gridgov.config.api import api
from tests.api.test_api import token_for
from tests.conftest import WENHUI

BEYOND_64_BITS = "99999999999999999999"
ERROR_KEYS = {"code", "message", "field"}


def _operations():
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation, document


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_free_mapping(schema: dict, document: dict) -> bool:
    schema = _resolve(schema, document)
    if schema.get("type") == "array":
        return _is_free_mapping(schema.get("items", {}), document)
    if "anyOf" in schema:
        return any(_is_free_mapping(s, document) for s in schema["anyOf"] if s != {"type": "null"})
    return schema.get("type") == "object" and not schema.get("properties")


@pytest.fixture
def as_user():
    def make(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_for(user)}"})

    return make


def test_every_operation_declares_a_typed_success_and_its_errors():
    untyped, undeclared = [], []
    for label, operation, document in _operations():
        responses = {str(status): answer for status, answer in operation["responses"].items()}
        successes = [status for status in map(str, responses) if status.startswith("2")]
        if not successes:
            untyped.append(f"{label}: no success answer")
        for status in successes:
            content = responses[status].get("content")
            if content is None:  # 204
                continue
            for media_type, body in content.items():
                if media_type == "application/json" and _is_free_mapping(body["schema"], document):
                    untyped.append(f"{label} {status}: a free mapping")
        expected = {"422"} if operation.get("security") in (None, []) else {"401", "422"}
        missing = expected - set(map(str, responses))
        if missing:
            undeclared.append(f"{label}: {sorted(missing)}")
        for status in map(str, responses):
            if status.startswith("4"):
                error = _resolve(
                    responses[status]["content"]["application/json"]["schema"], document
                )
                if not ERROR_KEYS <= set(error["properties"]):
                    undeclared.append(f"{label} {status}: not the error shape")
    assert untyped == []
    assert undeclared == []


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_a_422_not_a_500(as_user, community_staff):
    client = as_user(community_staff)
    answers = [
        client.get(f"/api/v1/canvass/tasks?campaign={BEYOND_64_BITS}"),
        client.get(f"/api/v1/canvass/campaigns/{BEYOND_64_BITS}/progress"),
        client.get(f"/api/v1/events/{BEYOND_64_BITS}"),
        client.get(f"/api/v1/registry/residents/{BEYOND_64_BITS}"),
        client.get(f"/api/v1/codes/plate-jobs/{BEYOND_64_BITS}"),
    ]
    assert [a.status_code for a in answers] == [422] * len(answers)
    for answer in answers:
        body = answer.json()
        assert body["code"] == "invalid"
        assert body["errors"][0]["type"] == "less_than_equal"


@pytest.mark.django_db
def test_a_negative_tolerance_is_a_422(as_user, community_staff):
    client = as_user(community_staff)
    answer = client.get(f"/api/v1/areas/{WENHUI}/validation?tolerance_m2=-5")
    assert answer.status_code == 422
    assert answer.json()["field"] == "tolerance_m2"
    for not_a_size in ("nan", "inf"):
        answer = client.get(f"/api/v1/areas/{WENHUI}/validation?tolerance_m2={not_a_size}")
        assert answer.status_code == 422
    assert client.get(f"/api/v1/areas/{WENHUI}/validation?tolerance_m2=0").status_code == 200


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_400_in_our_error_shape(as_user, community_staff):
    answer = as_user(community_staff).post(
        "/api/v1/canvass/campaigns", data=b"{not json", content_type="application/json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == ERROR_KEYS


@pytest.mark.django_db
def test_a_422_names_the_field_and_does_not_echo_the_input(as_user, community_staff):
    secret = "530102199001011234"
    answer = as_user(community_staff).post(
        "/api/v1/canvass/campaigns",
        data={"name": "x", "area": WENHUI, "due_date": secret, "fields": []},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "due_date"
    assert secret not in answer.content.decode()
    assert Campaign.objects.count() == 0


@pytest.mark.django_db
def test_answers_send_only_what_the_schema_names(as_user, community_staff):
    """Output schemas are allow-lists: the queue's items carry exactly the declared keys."""
    document = api.get_openapi_schema()
    declared = set(document["components"]["schemas"]["AreaOut"]["properties"])
    answer = as_user(community_staff).get("/api/v1/areas/")
    assert answer.status_code == 200
    assert [set(area) for area in answer.json()] == [declared]


def _schemas_of(annotation, seen: set) -> None:
    """Every pydantic model an annotation names, nested ones included."""
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _schemas_of(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _schemas_of(argument, seen)


def test_no_two_schemas_share_a_name():
    """The OpenAPI document keys its schemas by class name: two classes of one name (a
    RatingIn in two apps) silently became one, and clients (and the fuzz test) were told the
    wrong body for one of the operations."""
    seen: set = set()
    api.get_openapi_schema()  # mounts the nested routers (the resident API's parts) too
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _schemas_of(model, seen)
                for response in operation.response_models.values():
                    _schemas_of(getattr(response, "__annotations__", {}).get("response"), seen)
    by_name: dict[str, set] = {}
    for model in seen:
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: places for name, places in by_name.items() if len(places) > 1}
    assert not shared, shared
