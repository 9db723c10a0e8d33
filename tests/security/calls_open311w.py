"""The authorization matrix's calls for one part of issue 11 (rows in
authorization_matrix_open311w.csv). Same shape as calls.CALLS."""

from tests.security.calls import Builder, Call

CALLS_PART: dict[tuple[str, str, str], Builder] = {
    # The catch-all of open311/urls.py: an unknown format suffix answers 404 to everyone.
    ("GET", "/open311/<rest>", "unknown resource or format"): lambda w: Call(
        "GET", "/open311/v2/services.html"
    ),
}
