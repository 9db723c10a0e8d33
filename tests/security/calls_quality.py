"""The authorization matrix's calls for one part of issue 12 (rows in
authorization_matrix_quality.csv). Same shape as calls.CALLS."""

from tests.security.calls import Builder, Call

CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", "/registry/quality/", ""): lambda w: Call("GET", "/registry/quality/"),
}
