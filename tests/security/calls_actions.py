"""The authorization matrix's calls for one part of issue 11 (rows in
authorization_matrix_actions.csv). Same shape as calls.CALLS.

Builders run inside the test's savepoint of the world: what they add (a follower, a
callback) is rolled back with it."""

from gridgov.residents.models import Callback, Follow
from tests.security.calls import API, Builder, Call
from tests.security.world import World

R = f"{API}/resident"


def _following(w: World, event) -> None:
    Follow.objects.get_or_create(
        event=event, user=w.users["other_resident"], defaults={"via": Follow.Via.ME_TOO}
    )


def _nearby(w: World) -> Call:
    event = w["reported"]
    lon, lat = event.lon, event.lat
    return Call(
        "GET",
        f"{R}/nearby?lon={lon}&lat={lat}&subclass={event.subclass.code}",
        marker=lambda answer: (
            isinstance(answer, list)
            and (not answer or any(row["number"] == event.number for row in answer))
        ),
    )


def _unfollow(w: World) -> Call:
    _following(w, w["reported"])
    return Call("DELETE", f"{R}/reports/{w['reported'].number}/follow", write=True)


def _reopen(w: World, *, follower: bool) -> Call:
    if follower:
        _following(w, w["closed"])
    return Call(
        "POST",
        f"{R}/reports/{w['closed'].number}/reopen",
        {"text": "矩阵: 还是没修好", "photos": []},
        write=True,
    )


def _callbacks(w: World) -> Call:
    Callback.objects.get_or_create(
        event=w["reported"], by=w.users["operator"], reached=True, result="矩阵回访记录"
    )
    return Call("GET", f"{R}/desk/{w['reported'].pk}/callbacks", marker="矩阵回访记录")


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{R}/nearby", ""): _nearby,
    ("POST", f"{R}/reports/{{number}}/follow", ""): lambda w: Call(
        "POST", f"{R}/reports/{w['reported'].number}/follow", body={}, write=True
    ),
    ("DELETE", f"{R}/reports/{{number}}/follow", ""): _unfollow,
    ("POST", f"{R}/reports/{{number}}/additions", ""): lambda w: Call(
        "POST",
        f"{R}/reports/{w['dispatched'].number}/additions",
        {"text": "矩阵: 补充说明", "photos": []},
        write=True,
    ),
    ("POST", f"{R}/reports/{{number}}/rating", ""): lambda w: Call(
        "POST",
        f"{R}/reports/{w['closed'].number}/rating",
        {"satisfaction": "basically", "comment": "矩阵评价"},
        write=True,
    ),
    ("POST", f"{R}/reports/{{number}}/reopen", ""): lambda w: _reopen(w, follower=False),
    ("POST", f"{R}/reports/{{number}}/reopen", "follower"): lambda w: _reopen(w, follower=True),
    ("GET", f"{R}/desk/{{event_id}}/reporter-phone", ""): lambda w: Call(
        "GET",
        f"{R}/desk/{w['reported'].pk}/reporter-phone",
        marker=w.users["reporter"].phone,
    ),
    ("GET", f"{R}/desk/{{event_id}}/callbacks", ""): _callbacks,
    ("POST", f"{R}/desk/{{event_id}}/callbacks", ""): lambda w: Call(
        "POST",
        f"{R}/desk/{w['closed'].pk}/callbacks",
        {"reached": True, "result": "矩阵: 居民满意", "satisfaction": "satisfied"},
        write=True,
    ),
    ("POST", "/r/desk/<event_id>/callbacks/", ""): lambda w: Call(
        "POST",
        f"/r/desk/{w['closed'].pk}/callbacks/",
        {"reached": "1", "result": "矩阵: 页面回访"},
        write=True,
    ),
}
