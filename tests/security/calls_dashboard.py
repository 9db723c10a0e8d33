"""The authorization matrix's calls for one part of issue 13 (rows in
authorization_matrix_dashboard.csv). Same shape as calls.CALLS."""

from tests.security.calls import Builder

CALLS_PART: dict[tuple[str, str, str], Builder] = {}
