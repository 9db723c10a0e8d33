"""Schemathesis over our OpenAPI document with every check it has: no server error, every
status and every body as the document declares them (response-schema conformance), input
the schema refuses is refused, input it allows is not refused by the validator, auth is
enforced, unsupported methods answer 405. As two roles (the district's operator and a
community's staff) over every operation, and anonymously over the public ones.

Bounded for `make test` on two cores: a few examples per operation and role (fewer in
`make check`, which sets GRIDGOV_FUZZ_EXAMPLES).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.api.test_api import token_for

EXAMPLES_PER_OPERATION = int(os.environ.get("GRIDGOV_FUZZ_EXAMPLES", "6"))

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # Valid input by the schema may still break a rule the schema cannot state
            # (an area code that does not exist, a point outside every area, a subclass
            # not in the catalog): the service refuses it with 400 and our error shape.
            # 422 stays out: valid by the document but refused by the validator would
            # mean the document lies.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            },
        },
        "generation": {"max-examples": EXAMPLES_PER_OPERATION},
    }
)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), config=CONFIG)


def _is_public(ctx) -> bool:
    # Operations with `auth=None` declare no security requirement in the document.
    return ctx.operation.definition.raw.get("security") in (None, [])


public_schema = schema.include(func=_is_public)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Schemathesis calls the raw WSGI app, whose request signals would close the database
    # connection that holds the test's transaction (Django's test client unhooks them too).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["operator", "community_staff"])
def bearer(request) -> dict[str, str]:
    user = request.getfixturevalue(request.param)
    return {"Authorization": f"Bearer {token_for(user)}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_every_operation_as_two_roles(case, bearer):
    # The token goes into the case itself, not only into the request: schemathesis then
    # judges a "negative" case by what is really sent (a malformed Authorization header it
    # generated is replaced by ours, so a case negative only there is a valid request).
    case.headers = {**(case.headers or {}), **bearer}
    case.call_and_validate(headers=bearer)


@pytest.mark.django_db
@public_schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_public_operations_anonymously(case):
    case.call_and_validate()
