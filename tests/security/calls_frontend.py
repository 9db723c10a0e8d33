"""The authorization matrix's calls for one part of issue 11 (rows in
authorization_matrix_frontend.csv). Same shape as calls.CALLS."""

from tests.security.calls import Builder, Call

CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", "/r/", ""): lambda w: Call("GET", "/r/"),
    ("GET", "/r/report/", ""): lambda w: Call("GET", "/r/report/"),
    # Anonymous visitors are sent to the phone sign-in (a 302 without the list).
    ("GET", "/r/mine/", ""): lambda w: Call("GET", "/r/mine/", marker='id="mine-list"'),
    ("GET", "/r/reports/<number>/", ""): lambda w: Call(
        "GET", f"/r/reports/{w['reported'].number}/"
    ),
    ("GET", "/r/login/", ""): lambda w: Call("GET", "/r/login/"),
    ("GET", "/r/lookup/", ""): lambda w: Call("GET", "/r/lookup/"),
    ("GET", "/r/around/", ""): lambda w: Call("GET", "/r/around/"),
    ("GET", "/r/inbox/", ""): lambda w: Call("GET", "/r/inbox/", marker=w["notification"].text),
    ("POST", "/r/inbox/", ""): lambda w: Call("POST", "/r/inbox/", {}, write=True),
    ("GET", "/r/outlines.json", ""): lambda w: Call("GET", "/r/outlines.json"),
    ("GET", "/r/photo/<token>.jpg", "signed"): lambda w: Call("GET", _signed_photo(w)),
    ("GET", "/r/photo/<token>.jpg", "forged"): lambda w: Call(
        "GET", f"/r/photo/{w['photo'].key}.jpg"
    ),
}


def _signed_photo(world) -> str:
    from gridgov.residents.views_photos import report_photo_url

    return report_photo_url(world["photo"].key)
