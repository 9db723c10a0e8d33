"""Fixtures of the abuse, header and deployment tests."""

import pytest
from django.core.cache import cache

from gridgov.accounts.models import User

PASSWORD = "Lijiang-grid-2024!"


@pytest.fixture(autouse=True)
def _empty_counters():
    # Rate-limit counters live in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


def with_password(user: User, password: str = PASSWORD) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
