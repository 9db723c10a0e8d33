"""The resident front end's pages (/r/): each renders for an anonymous visitor and a
resident as intended, offers no staff page, and every role lands where it works."""

import json

import pytest
from django.test import Client
from shapely.geometry import shape

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.areas.models import Area, Department
from gridgov.events.services import event_report
from gridgov.notifications.models import Notification
from tests.conftest import WENHUI, WENHUI_GRID

pytestmark = pytest.mark.django_db

PAGES = ["/r/", "/r/report/", "/r/lookup/", "/r/around/", "/r/login/", "/r/reports/2026112400017/"]
SIGNED_IN_PAGES = ["/r/mine/", "/r/inbox/"]
STAFF_LINKS = ('href="/events/', 'href="/screen/', 'href="/admin/', 'href="/map/', "/api/docs")


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_render_for_anonymous_visitors_without_staff_links(path):
    answer = _client().get(path)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'id="sign-in"' in page
    assert 'id="sign-out"' not in page
    assert 'href="/r/report/"' in page  # the resident navigation
    for link in STAFF_LINKS:
        assert link not in page, link


@pytest.mark.parametrize("path", PAGES + SIGNED_IN_PAGES)
def test_every_page_renders_for_a_resident_with_a_sign_out(resident, path):
    answer = _client(resident).get(path)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'id="sign-out"' in page
    assert 'action="/accounts/logout/"' in page
    assert "csrfmiddlewaretoken" in page
    for link in STAFF_LINKS:
        assert link not in page, link


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_my_pages_send_anonymous_visitors_to_the_phone_sign_in(path):
    answer = _client().get(path)
    assert answer.status_code == 302
    assert answer.url == "/r/login/?next=" + path.replace("/", "%2F")


def test_the_pages_hand_their_scripts_words_and_settings_without_inline_script(resident):
    page = _client(resident).get("/r/report/").content.decode()
    assert '<script id="resident-strings" type="application/json">' in page
    config = page.split('<script id="resident-config" type="application/json">')[1]
    config = json.loads(config.split("</script>")[0])
    assert config["signed_in"] is True
    assert config["resident"] is True
    assert config["phone_crs"] in ("wgs84", "gcj02")
    assert config["outlines_url"] == "/r/outlines.json"
    # Every <script> is a file or a JSON block (CSP forbids inline code).
    for chunk in page.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


def test_the_report_page_offers_the_subclasses_and_asks_no_coordinates(resident):
    page = _client(resident).get("/r/report/").content.decode()
    assert 'name="lon"' not in page
    assert 'name="lat"' not in page
    assert '<option value="0102">' in page  # chosen from the list when no suggestion
    assert 'id="report-map"' in page
    assert 'id="locate"' in page
    assert 'id="place-q"' in page
    # A signed-in resident is not asked their name and phone again.
    assert 'name="reporter_phone"' not in page


def test_anonymous_reporters_may_leave_a_name_and_phone(db):
    page = _client().get("/r/report/").content.decode()
    assert 'name="reporter_phone"' in page
    assert 'name="reporter_name"' in page


def test_the_rating_form_presets_nothing(resident):
    page = _client(resident).get("/r/reports/2026112400017/").content.decode()
    assert 'id="rate-form"' in page
    assert "checked" not in page.split('id="rate-form"')[1].split("</form>")[0]


def test_a_report_page_for_something_that_is_not_a_number_is_not_found(db):
    assert _client().get("/r/reports/abc/").status_code == 404
    assert _client().get("/r/reports/" + "1" * 21 + "/").status_code == 404


def test_sign_in_goes_back_only_to_this_site(db):
    page = _client().get("/r/login/?next=/r/mine/").content.decode()
    assert 'data-next="/r/mine/"' in page
    page = _client().get("/r/login/?next=https://evil.example/").content.decode()
    assert 'data-next="/r/"' in page


def test_the_inbox_shows_only_my_messages_linked_to_the_resident_report(resident, operator):
    grid = Area.objects.get(code=WENHUI_GRID)
    centre = shape(grid.geometry).representative_point()
    data = {"subclass": "0102", "description": "路灯不亮", "lon": centre.x, "lat": centre.y}
    event = event_report(user=resident, data=data, source="resident")
    Notification.objects.create(user=resident, event=event, kind="state", text="已受理: 路灯")
    Notification.objects.create(user=operator, kind="state", text="别人的消息")
    client = _client(resident)
    page = client.get("/r/inbox/").content.decode()
    assert "已受理: 路灯" in page
    assert "别人的消息" not in page
    assert f'href="/r/reports/{event.number}/"' in page
    assert f"/events/{event.pk}/" not in page  # never the staff page
    assert client.post("/r/inbox/").status_code == 302
    assert not Notification.objects.filter(user=resident, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=operator, read_at__isnull=True).exists()


def test_the_grid_outlines_are_public_names_and_shapes_only(db):
    answer = _client().get("/r/outlines.json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["type"] == "FeatureCollection"
    assert body["features"]
    grids = Area.objects.filter(kind="grid", geometry__isnull=False).count()
    assert len(body["features"]) == grids
    feature = body["features"][0]
    assert set(feature["properties"]) == {"name"}
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "max-age" in answer["Cache-Control"]


# Where each role lands after signing in (issue 11, item 6) ---------------------------------
LANDING = {
    Role.RESIDENT: "/r/",
    Role.GRID_WORKER: "/app/",
    Role.GRID_HEAD: "/app/",
    Role.LEADER: "/leaders/",  # their dashboard, the big screen one click away (issue 13)
    Role.OPERATOR: "/events/",
    Role.SHIFT_LEADER: "/events/",
    Role.AREA_STAFF: "/events/",
    Role.DEPARTMENT_HANDLER: "/events/",
    Role.PARTY_SECRETARY: "/map/",
    Role.SERVICE_PROVIDER: "/map/",
}


def test_every_role_has_a_landing():
    assert set(LANDING) == set(Role)


@pytest.mark.parametrize(("role", "target"), sorted(LANDING.items()))
def test_each_role_lands_where_it_works(role, target):
    area = None if role == Role.RESIDENT else Area.objects.get(code=WENHUI)
    user = User.objects.create(username=f"landing_{role}", role=role, area=area)
    if role == Role.DEPARTMENT_HANDLER:
        user.department = Department.objects.create(name="城管执法中队", area=area)
        user.save(update_fields=["department"])
    assert _client(user).get("/").url == target


def test_anonymous_visitors_land_as_before(db):
    assert _client().get("/").url == "/admin/"


def test_a_resident_on_a_staff_page_is_refused_with_a_way_back(resident):
    answer = _client(resident).get("/screen/")
    assert answer.status_code == 403
    page = answer.content.decode()
    assert 'href="/r/"' in page
    assert 'id="back-to-residents"' in page
    for link in STAFF_LINKS:
        assert link not in page, link


def test_staff_pages_and_the_worker_app_have_a_sign_out(operator, grid_worker):
    page = _client(operator).get("/events/").content.decode()
    assert 'id="sign-out"' in page
    assert 'action="/accounts/logout/"' in page
    page = _client(grid_worker).get("/app/").content.decode()
    assert 'id="sign-out"' in page
    assert 'action="/accounts/logout/"' in page


def test_signing_out_from_the_resident_pages_goes_back_to_them(resident):
    client = _client(resident)
    answer = client.post("/accounts/logout/", {"next": "/r/"})
    assert answer.status_code == 302
    assert answer.url == "/r/"
    assert client.get("/r/mine/").status_code == 302
