"""Settings of the test suite: production's, over plain http on 127.0.0.1 like `make run`.

The suite drives the site through Django's test client and a browser on http://127.0.0.1, so
HTTPS (redirects, secure cookies) and the two-factor requirement are off here as `make run`
turns them off, and the anonymous write budget is out of reach; the tests of those features
switch them on with the `settings` fixture. Set before the settings read the environment, so
subprocesses the tests start inherit them.
"""

import os

os.environ.setdefault("GRIDGOV_HTTPS", "false")
os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "false")
# Every test client posts from 127.0.0.1 and the in-process cache outlives each test: with the
# production budget, one test's anonymous writes would refuse another's. The tests of the
# limit (tests/security_web/test_rate_limits.py) set their own budget.
os.environ.setdefault("GRIDGOV_ANONYMOUS_WRITES_PER_HOUR", "100000")

from gridgov.config.settings import *  # noqa: E402, F403

# Playwright's wait_for_function evaluates its expression inside the page, which the enforced
# policy forbids (no 'unsafe-eval'): the browser tests get the same policy as report-only
# (violations still show in the console), and tests/e2e/test_xss.py enforces it.
CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY  # noqa: F405
CONTENT_SECURITY_POLICY = None

# Tasks run inline when enqueued (Huey's immediate mode, in memory), so a test sees their
# effect at once; the services still enqueue only after commit, which the tests of
# tests/tasks/ check with captured on_commit callbacks.
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# A password hash costs about a second on purpose (PBKDF2, a million rounds), and the tests
# make users and sign in by the hundred; who may sign in and the throttling do not depend on
# the hasher. Production keeps Django's default (docs/decisions/0019).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests read the screen right after changing events: no shared answer, except in the test of
# the sharing itself (tests/events/test_screen.py).
GRIDGOV_SCREEN_CACHE_SECONDS = 0
GRIDGOV_QUEUE_SUMMARY_SECONDS = 0
