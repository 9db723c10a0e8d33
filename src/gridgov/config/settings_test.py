"""Settings of the test suite: production's, over plain http on 127.0.0.1 like `make run`.

The suite drives the site through Django's test client and a browser on http://127.0.0.1, so
HTTPS (redirects, secure cookies) and the two-factor requirement are off here, exactly as
`make run` turns them off; the tests of those features switch them on with override_settings.
Set before the settings read the environment, so subprocesses the tests start inherit them.
"""

import os

os.environ.setdefault("GRIDGOV_HTTPS", "false")
os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "false")

from gridgov.config.settings import *  # noqa: E402, F403

# Playwright's wait_for_function evaluates its expression inside the page, which the enforced
# policy forbids (no 'unsafe-eval'): the browser tests get the same policy as report-only
# (violations still show in the console), and tests/e2e/test_xss.py enforces it.
CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY  # noqa: F405
CONTENT_SECURITY_POLICY = None
