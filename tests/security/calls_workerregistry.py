"""The authorization matrix's calls for one part of issue 12 (rows in
authorization_matrix_workerregistry.csv). Same shape as calls.CALLS."""

from tests.security.calls import Builder, Call

API = "/api/v1"

CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/worker/registry/key", ""): lambda w: Call("GET", f"{API}/worker/registry/key"),
    ("GET", f"{API}/worker/registry/bundle", ""): lambda w: Call(
        "GET", f"{API}/worker/registry/bundle", marker=w["resident"].name
    ),
}
