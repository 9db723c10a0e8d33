"""The authorization matrix: every API operation (from the OpenAPI document) and every page
(from the URLconf, less the back office and static files), called as every persona, against
objects inside and outside the persona's area. What each persona SHOULD get is the table in
authorization_matrix.csv — one row per (method, path, case), one column per persona:

- allow: a success (for a read with a marker, the world's object is in the answer; for a
  write, something changed);
- deny: 401/403/404 or the login page (for a read with a marker, the object is absent; for a
  write, nothing changed at all);
- 400: a clear "bad request" answer (hostile input on a page the persona may read).

A new operation or page without a row fails `test_every_operation_and_page_has_a_row`.
"""

import csv
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from gridgov.areas import spatial_index
from gridgov.common import versioned_cache
from gridgov.config.api import api
from gridgov.dispatch.position_index import positions
from tests.conftest import WENHUI_GRID
from tests.security.calls import CALLS, Call
from tests.security.world import COLUMNS, World

# One table, in parts: authorization_matrix.csv and authorization_matrix_<part>.csv beside it.
MATRIX_FILES = sorted(Path(__file__).parent.glob("authorization_matrix*.csv"))
ROWS = [row for path in MATRIX_FILES for row in csv.DictReader(path.open(encoding="utf-8"))]
OUR_APPS = ("accounts", "areas", "registry", "events", "dispatch", "canvass", "smartcodes")
OUR_APPS += ("party", "notifications", "open311", "auditlog", "residents", "care")
OUR_APPS += ("assessment", "reports")


def _key(row: dict) -> tuple[str, str, str]:
    return row["method"], row["path"], row["case"]


def _page_templates() -> set[str]:
    """Every page of the URLconf as `/path/<name>/`, without the back office, the API
    operations (they come from the OpenAPI document) and static files."""

    def walk(patterns, prefix: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    templates = set()
    for route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/v1/", "static/")):
            continue
        route = route.replace("^", "").replace("$", "").replace("\\.", ".")
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
        route = re.sub(r"<\w+:(\w+)>", r"<\1>", route)
        templates.add("/" + route)
    return templates


def _operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_operation_and_page_has_a_row():
    rows = {(row["method"], row["path"]) for row in ROWS}
    # Each is built once: the OpenAPI document takes about a second to generate.
    operations, pages = _operations(), _page_templates()
    missing_operations = sorted(operations - rows)
    missing_pages = sorted(pages - {path for _method, path in rows})
    assert not missing_operations, f"API operations without a row: {missing_operations}"
    assert not missing_pages, f"pages without a row: {missing_pages}"
    stale = sorted(
        (method, path)
        for method, path in rows
        if path.startswith("/api/v1/") and (method, path) not in operations
    ) + sorted(
        path for _method, path in rows if not path.startswith("/api/v1/") and path not in pages
    )
    assert not stale, f"rows for operations or pages that no longer exist: {stale}"


def test_every_row_has_a_call_and_every_cell_a_value():
    keys = [_key(row) for row in ROWS]
    assert len(keys) == len(set(keys)), "a (method, path, case) is in the table twice"
    assert set(keys) == set(CALLS), set(keys) ^ set(CALLS)
    for row in ROWS:
        assert list(row)[3 : 3 + len(COLUMNS)] == COLUMNS
        assert {row[c] for c in COLUMNS} <= {"allow", "deny", "400"}, row


def _plain_table(model) -> bool:
    """A model whose default manager counts every row of its own table: its count can be
    read with a bare COUNT(*) among the others in one query."""
    meta = model._meta
    return (
        meta.managed
        and not meta.proxy
        and type(model._default_manager).get_queryset is models.Manager.get_queryset
    )


def _row_counts() -> list[str]:
    """`label:count` for every model of ours. The counts of plain tables come in a single
    query (a write cell reads them about 90 at a time, over a thousand times per run); a
    model with a manager of its own is counted through it, as the application sees it."""
    ours = [model for model in apps.get_models() if model._meta.app_label in OUR_APPS]
    plain = [model for model in ours if _plain_table(model)]
    counts: dict[str, int] = {}
    if plain:
        quote = connection.ops.quote_name
        selects = ", ".join(
            f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in plain
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {selects}")  # table names from our models, no input
            row = cursor.fetchone()
        counts = {model._meta.label: number for model, number in zip(plain, row, strict=True)}
    for model in ours:
        if model._meta.label not in counts:
            counts[model._meta.label] = model._default_manager.count()
    return [f"{model._meta.label}:{counts[model._meta.label]};" for model in ours]


def _fingerprint() -> str:
    """What a write could change: the row count of every table of ours, the audit log, and
    the state of the small tables the matrix writes to (updates do not change counts)."""
    digest = hashlib.sha256()
    for count in _row_counts():
        digest.update(count.encode())
    for label, fields in (
        ("events.Event", ("state", "version", "satisfaction", "department_id", "assignee_id")),
        ("events.Summons", ("checked_in_at", "reported_at", "report")),
        ("canvass.Task", ("status", "answers")),
        ("canvass.Campaign", ("status",)),
        ("notifications.Notification", ("read_at",)),
        ("registry.Resident", ("name",)),
        ("registry.Unit", ("name",)),
        ("dispatch.WorkerPosition", ("at", "lon", "lat")),
    ):
        model = apps.get_model(label)
        known = {f.name for f in model._meta.get_fields()} | {
            f.attname for f in model._meta.concrete_fields
        }
        rows = model.objects.order_by("pk").values_list("pk", *[f for f in fields if f in known])
        digest.update(repr(list(rows)).encode())
    from gridgov.areas.models import Area

    digest.update(
        repr(
            list(Area.objects.filter(code__startswith=WENHUI_GRID).values_list("code", "name"))
        ).encode()
    )
    return digest.hexdigest()


class _Undo(Exception):
    """Raised to roll a persona's request back, so every cell starts from the same world."""


def _send(client: Client, call: Call):
    if call.files:  # every upload of ours is a multipart POST
        uploads = {
            name: SimpleUploadedFile(filename, content)
            for name, (filename, content) in call.files.items()
        }
        return client.post(call.url, {**(call.body or {}), **uploads})
    if call.url.startswith("/api/") and call.body is not None:
        return client.generic(
            call.method, call.url, data=json.dumps(call.body), content_type="application/json"
        )
    if call.method == "GET":
        return client.get(call.url)
    if call.method == "POST":
        return client.post(call.url, call.body or {})
    return client.generic(call.method, call.url)


def _outcome(call: Call, response, changed: bool) -> str:
    status = response.status_code
    if status >= 500:
        return str(status)
    to_login = status in (301, 302) and "/accounts/login/" in response.get("Location", "")
    refused = status in (401, 403, 404, 405) or to_login
    if call.write:
        return "allow" if changed else "deny"
    if status == 400:
        return "400"
    if refused:
        return "deny"
    if status >= 400:
        return str(status)
    if call.marker is None or response.streaming:
        return "allow"
    text = response.content.decode("utf-8", "replace")
    answer = json.loads(text) if "json" in response.get("Content-Type", "") else None
    if callable(call.marker):
        found = call.marker(answer)
    else:  # JSON escapes Chinese: look in the decoded answer
        found = call.marker in (text if answer is None else json.dumps(answer, ensure_ascii=False))
    return "allow" if found else "deny"


def _forget_process_caches() -> None:
    spatial_index.invalidate()
    positions.invalidate()
    versioned_cache.invalidate_all()


@pytest.fixture(autouse=True)
def _fresh_area_index():
    """Replaces the suite's per-test reset (tests/conftest.py) for this module: every test
    here reads the same world, so the indexes and caches built from it stay valid from one
    row to the next, and `_cell` forgets them after any request that could have changed
    what they were built from. Rebuilding them for each of the ~280 rows cost minutes."""


@pytest.fixture(scope="module", autouse=True)
def _openapi_document_built_once():
    """GET /api/openapi.json builds the whole document on every request (about a second of
    CPU; its row asks 18 times). Who may read it does not depend on how often it is built:
    here it is built once per prefix and language, and every persona is answered with it."""
    build = api.get_openapi_schema
    built: dict = {}

    def once(*, path_prefix=None, path_params=None):
        key = (path_prefix, repr(path_params), translation.get_language())
        if key not in built:
            built[key] = build(path_prefix=path_prefix, path_params=path_params)
        return built[key]

    api.get_openapi_schema = once  # the instance's attribute hides the method
    yield
    del api.get_openapi_schema


@pytest.fixture(scope="module")
def signed_in(world: World, django_db_blocker) -> dict[str, str]:
    """Each persona's session key, signed in once in the module's world (the sessions live
    in its transaction). A cell sends the cookie from a fresh client: whatever a request
    does to its session (sign out, a new key) is rolled back with the rest of the cell."""
    _forget_process_caches()  # the previous module's tests rolled their data back
    keys = {}
    with django_db_blocker.unblock():
        for persona, user in world.users.items():
            if user is not None:
                client = Client()
                client.force_login(user)
                keys[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    yield keys
    _forget_process_caches()  # built from this module's world, which is rolled back now


@pytest.fixture(scope="module")
def handler() -> ClientHandler:
    """One request handler for the module: a new one loads the middleware again, and
    WhiteNoise lists and stats every static file when it loads (about 0.1 s, ~5,000 times)."""
    return ClientHandler(enforce_csrf_checks=False)


def _cell(
    world: World,
    persona: str,
    call: Call,
    *,
    signed_in: dict[str, str],
    handler: ClientHandler,
    before: str,
) -> tuple[str, int, str]:
    """One persona's request, rolled back; `before` is the world's fingerprint (the same
    for every cell, each starting from the world as built) when the call is a write."""
    client = Client(raise_request_exception=False)
    client.handler = handler
    if persona in signed_in:
        client.cookies[settings.SESSION_COOKIE_NAME] = signed_in[persona]
    cache.clear()  # rate limits and lockouts are not what this table checks
    try:
        with transaction.atomic():
            response = _send(client, call)
            changed = call.write and _fingerprint() != before
            raise _Undo
    except _Undo:
        pass
    finally:
        # A request that may have written could have rebuilt an index or cache from rows
        # that are rolled back now. A read leaves them as built from the world.
        if call.write or call.method != "GET":
            _forget_process_caches()
    body = "" if response.streaming else response.content.decode("utf-8", "replace")
    if body and response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(response.json(), ensure_ascii=False)
    return _outcome(call, response, changed), response.status_code, body[:160]


@pytest.mark.parametrize("row", ROWS, ids=[" ".join(filter(None, _key(row))) for row in ROWS])
def test_matrix_row(world, signed_in, handler, row):
    call = CALLS[_key(row)](world)
    before = _fingerprint() if call.write else ""
    wrong = []
    for persona in COLUMNS:
        got, status, body = _cell(
            world, persona, call, signed_in=signed_in, handler=handler, before=before
        )
        if got != row[persona]:
            wrong.append(f"{persona}: should {row[persona]}, got {got} ({status} {body!r})")
    assert not wrong, "\n".join(wrong)
