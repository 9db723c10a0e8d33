"""The authorization matrix's calls for one part of issue 11 (rows in
authorization_matrix_public.csv). Same shape as calls.CALLS."""

from django.core.files.base import ContentFile

from gridgov.events.models import Event, Source, Subclass
from gridgov.events.photos import Photo
from gridgov.events.services import event_report
from gridgov.residents.models import PublicView
from tests.events.factories import jpeg_bytes
from tests.security.calls import Builder, Call
from tests.security.world import World

API = "/api/v1"
PUBLIC_WORDS = "矩阵公开: 井盖松动"
HIDDEN_WORDS = "矩阵隐藏: 井盖松动"
PRIVATE_WORDS = "矩阵不公开: 邻里纠纷"


def _event(world: World, words: str, publication: str) -> Event:
    """A report of the world's reporter in 文汇's first grid, made once."""
    existing = Event.objects.filter(description=words).first()
    if existing is not None:
        return existing
    subclass = Subclass.objects.filter(
        active=True, photo_required=False, publication=publication
    ).order_by("code")[0]
    return event_report(
        user=world.users["reporter"],
        data={
            "subclass": subclass.code,
            "description": words,
            "lon": world["point"][0],
            "lat": world["point"][1],
            "client_uuid": None,
        },
        source=Source.RESIDENT,
    )


def _public(world: World) -> Event:
    return _event(world, PUBLIC_WORDS, Subclass.Publication.PUBLIC_SOURCES)


def _hidden(world: World) -> Event:
    event = _event(world, HIDDEN_WORDS, Subclass.Publication.PUBLIC_SOURCES)
    PublicView.objects.update_or_create(
        event=event, defaults={"hidden": True, "hidden_reason": "矩阵"}
    )
    return event


def _private(world: World) -> Event:
    return _event(world, PRIVATE_WORDS, Subclass.Publication.NONE)


def _approved_photo(world: World) -> Photo:
    event = _public(world)
    photo = Photo.objects.filter(event=event).first()
    if photo is None:
        photo = Photo(event=event, width=64, height=48, sha256="2" * 64)
        photo.image.save("public.jpg", ContentFile(jpeg_bytes()), save=False)
        photo.save()
    PublicView.objects.update_or_create(event=event, defaults={"approved_photos": [str(photo.key)]})
    return photo


def _around(world: World, marker) -> Call:
    lon, lat = world["point"]
    return Call("GET", f"{API}/public/reports?lon={lon}&lat={lat}&radius_m=1000", marker=marker)


CALLS_PART: dict[tuple[str, str, str], Builder] = {
    ("GET", f"{API}/public/reports", ""): lambda w: _around(w, _public(w).number),
    ("GET", f"{API}/public/reports", "hidden"): lambda w: _around(w, _hidden(w).number),
    ("GET", f"{API}/public/reports", "not public"): lambda w: _around(w, _private(w).number),
    ("GET", f"{API}/public/reports/{{number}}", ""): lambda w: Call(
        "GET", f"{API}/public/reports/{_public(w).number}", marker=PUBLIC_WORDS
    ),
    ("GET", f"{API}/public/reports/{{number}}", "hidden"): lambda w: Call(
        "GET", f"{API}/public/reports/{_hidden(w).number}"
    ),
    ("GET", f"{API}/public/reports/{{number}}", "not public"): lambda w: Call(
        "GET", f"{API}/public/reports/{_private(w).number}"
    ),
    ("GET", f"{API}/public/places", ""): lambda w: Call(
        "GET", f"{API}/public/places?q=矩阵单位", marker="矩阵单位"
    ),
    ("GET", f"{API}/public/places", "short q"): lambda w: Call("GET", f"{API}/public/places?q=矩"),
    ("GET", f"{API}/public/suggest", ""): lambda w: Call(
        "GET", f"{API}/public/suggest?text=小区门口垃圾堆放没人清运", marker="0102"
    ),
    ("GET", f"{API}/public/suggest", "long text"): lambda w: Call(
        "GET", f"{API}/public/suggest?text={'垃' * 501}"
    ),
    ("POST", f"{API}/resident/desk/{{event_id}}/moderation", ""): lambda w: Call(
        "POST",
        f"{API}/resident/desk/{w['reported'].pk}/moderation",
        body={"hidden": True, "hidden_reason": "矩阵"},
        write=True,
    ),
    ("POST", f"{API}/resident/desk/{{event_id}}/withdraw-reporter", ""): lambda w: Call(
        "POST", f"{API}/resident/desk/{w['reported'].pk}/withdraw-reporter", body={}, write=True
    ),
    ("POST", f"{API}/resident/reports/{{number}}/publicity", ""): lambda w: Call(
        "POST",
        f"{API}/resident/reports/{w['reported'].number}/publicity",
        body={"reporter_named": True},
        write=True,
    ),
    ("POST", f"{API}/resident/reports/{{number}}/withdraw", ""): lambda w: Call(
        "POST", f"{API}/resident/reports/{w['reported'].number}/withdraw", body={}, write=True
    ),
    ("GET", "/r/public-photo/<key>.jpg", "approved"): lambda w: Call(
        "GET", f"/r/public-photo/{_approved_photo(w).key}.jpg"
    ),
    ("GET", "/r/public-photo/<key>.jpg", "not approved"): lambda w: Call(
        "GET", f"/r/public-photo/{w['photo'].key}.jpg"
    ),
    ("POST", "/r/desk/<event_id>/moderation/", ""): lambda w: Call(
        "POST",
        f"/r/desk/{w['reported'].pk}/moderation/",
        body={"hidden": "on", "hidden_reason": "矩阵"},
        write=True,
    ),
}
