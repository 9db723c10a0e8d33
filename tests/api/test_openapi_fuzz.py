"""Schemathesis on our OpenAPI: whatever it sends, no operation answers with a server error."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.api.test_api import token_for

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Schemathesis calls the raw WSGI app, whose request signals would close the database
    # connection that holds the test's transaction (Django's test client unhooks them too).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(admin_user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(admin_user)}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
