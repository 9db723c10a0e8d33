"""The registry on the worker's phone: the bundle of the worker's own grid and the session key
its copy is encrypted with (care.bundle, /api/v1/worker/registry)."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import PiiAccess, User
from gridgov.areas.models import Area, GridWorker
from gridgov.care.models import CareTag, ResidentTag
from gridgov.registry.models import Household, Resident
from gridgov.registry.naming import household_title
from gridgov.smartcodes.models import SmartCode
from gridgov.smartcodes.services import codes_issue
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID
from tests.registry.factories import id_number

BUNDLE = "/api/v1/worker/registry/bundle"
KEY = "/api/v1/worker/registry/key"
ADDRESS = "丽江市古城区文汇社区玉泉小区3栋201室"


def _person(household: Household, name: str, born: dt.date, **extra) -> Resident:
    return Resident.objects.create(
        area=household.area,
        lon=household.lon,
        lat=household.lat,
        address=household.address,
        household=household,
        name=name,
        id_number=id_number(),
        phone="13908881234",
        birth_date=born,
        gender="F",
        residence="registered",
        **extra,
    )


def _tag(resident: Resident, key: str, due: dt.date | None) -> ResidentTag:
    today = timezone.localdate()
    return ResidentTag.objects.create(
        resident=resident,
        tag=CareTag.objects.get(key=key),
        area=resident.area,
        since=today - dt.timedelta(days=100),
        review_due=today + dt.timedelta(days=100),
        visit_due=due,
    )


@pytest.fixture
def grid_home(db, wenhui_point, community_staff):
    grid = Area.objects.get(code=WENHUI_GRID)
    home = Household.objects.create(
        number="T-BUNDLE-1", area=grid, lon=wenhui_point[0], lat=wenhui_point[1], address=ADDRESS
    )
    granny = _person(home, "王秀英", dt.date(1938, 2, 1))
    Household.objects.filter(pk=home.pk).update(head=granny)
    son = _person(home, "李建军", dt.date(1970, 6, 1), relation="子")
    _person(home, "李走了", dt.date(1990, 1, 1), status=Resident.Status.MOVED_OUT)
    today = timezone.localdate()
    _tag(granny, "elderly_alone", today - dt.timedelta(days=3))  # overdue
    _tag(son, "community_correction", today + dt.timedelta(days=20))  # sensitive
    codes_issue(user=community_staff, root_code=WENHUI_GRID, kinds=("households",))
    # Another community's home: never in 文汇's bundle.
    other = Area.objects.filter(parent__code=JINJIA).order_by("code").first()
    away = Household.objects.create(
        number="T-BUNDLE-2",
        area=other,
        lon=wenhui_point[0],
        lat=wenhui_point[1],
        address="金甲路1号",
    )
    _person(away, "和桂兰", dt.date(1941, 1, 1))
    return {"home": home, "granny": granny, "son": son}


def _title(home: Household) -> str:
    # "address · 王秀英户" in Chinese; whatever the language, the address and the head.
    title = household_title(Household.objects.select_related("head").get(pk=home.pk))
    assert ADDRESS in title
    assert "王秀英" in title
    return title


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_worker_gets_their_grid_titled_by_address_and_head_with_plates_and_who_is_due(
    grid_worker, grid_home
):
    answer = _client(grid_worker).get(BUNDLE)
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    data = answer.json()
    assert [g["code"] for g in data["grids"]] == [WENHUI_GRID]
    home = grid_home["home"]
    (household,) = [h for h in data["households"] if h["id"] == home.pk]
    assert household["title"] == _title(home)
    assert household["plate"] == SmartCode.objects.get(kind="households", object_id=home.pk).token
    assert all(h["address"] != "金甲路1号" for h in data["households"])
    people = {p["name"]: p for p in data["people"]}
    assert set(people) == {"王秀英", "李建军"}  # living people of the grid only
    granny = people["王秀英"]
    assert granny["phone"] == "139****1234"
    assert "*" in granny["id_number"]
    assert granny["id_number"] != grid_home["granny"].id_number
    assert granny["age"] >= 87
    assert [(t["key"], t["overdue"]) for t in granny["tags"]] == [("elderly_alone", True)]
    assert [t["key"] for t in people["李建军"]["tags"]] == ["community_correction"]
    # Who needs a visit: the overdue first.
    assert [d["name"] for d in data["due"]] == ["王秀英", "李建军"]
    assert data["due"][0]["household_title"] == household["title"]
    # Addresses and the sensitive group were read: both recorded, as the bundle channel.
    reads = PiiAccess.objects.filter(user=grid_worker, channel="bundle")
    assert reads.get(model="registry.household").object_ids == [home.pk]
    sensitive = reads.get(model="care.residenttag")
    assert sensitive.object_ids == [grid_home["son"].pk]
    assert sensitive.fields == ["tag:community_correction"]


@pytest.mark.django_db
def test_a_worker_without_the_sensitive_right_never_learns_of_the_group(grid_home):
    # An operator put on the grid reads the registry, but neither personal data nor the
    # sensitive groups: the son is there as a person, with no trace of his group.
    grid = Area.objects.get(code=WENHUI_GRID)
    operator = User.objects.create(username="t_bundle_op", role="operator", area=grid.parent)
    GridWorker.objects.create(grid=grid, user=operator, employment="part_time")
    data = _client(operator).get(BUNDLE).json()
    text = json.dumps(data, ensure_ascii=False)
    assert "community_correction" not in text
    assert "社区矫正" not in text
    assert [d["name"] for d in data["due"]] == ["王秀英"]
    assert "community_correction" not in {t["key"] for t in data["tags"]}
    son = next(p for p in data["people"] if p["name"] == "李建军")
    assert son["tags"] == []
    (household,) = [h for h in data["households"] if h["id"] == grid_home["home"].pk]
    assert household["address"] != ADDRESS
    assert household["address"].endswith("***")
    assert not PiiAccess.objects.filter(user=operator).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["community_staff", "party_secretary", "resident", "district_staff"]
)
def test_only_the_workers_of_a_grid_get_it(request, who, grid_home):
    user = request.getfixturevalue(who)
    client = _client(user)
    for url in (BUNDLE, KEY):
        answer = client.get(url)
        assert answer.status_code == 403, (who, url)
        assert "王秀英" not in answer.content.decode()
    assert Client().get(BUNDLE).status_code == 401
    assert not PiiAccess.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_key_is_one_per_session_and_gone_with_it(grid_worker):
    client = _client(grid_worker)
    first = client.get(KEY)
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    key = first.json()
    assert len(key["key"]) == 44  # 32 bytes in base64
    assert client.get(KEY).json() == key
    client.post("/accounts/logout/")
    again = _client(grid_worker).get(KEY).json()
    assert again["key"] != key["key"]
    assert again["id"] != key["id"]
    assert _client(grid_worker).get(KEY).json()["key"] != again["key"]  # another session


@pytest.mark.django_db
def test_a_door_plate_scanned_by_anyone_shows_no_address_and_by_the_worker_opens_the_household(
    grid_worker, grid_home
):
    code = SmartCode.objects.get(kind="households", object_id=grid_home["home"].pk)
    assert code.serial.startswith(WENHUI_GRID + "-H")
    public = Client().get(f"/c/{code.token}/").content.decode()
    assert "玉泉小区" not in public
    assert "王秀英" not in public
    assert "household-link" not in public
    staff = _client(grid_worker).get(f"/c/{code.token}/").content.decode()
    assert f'href="/registry/households/{grid_home["home"].pk}/"' in staff
    resolved = _client(grid_worker).get(f"/api/v1/codes/resolve?token={code.token}").json()
    assert resolved["kind"] == "households"
    assert resolved["may_check_in"] is True


@pytest.mark.django_db
def test_canvass_cards_are_titled_by_address_and_head(grid_worker, grid_home, community_staff):
    from gridgov.canvass.models import Campaign, Task
    from gridgov.canvass.selectors import my_tasks

    campaign = Campaign.objects.create(
        name="走访",
        area=Area.objects.get(code=WENHUI),
        due_date=timezone.localdate() + dt.timedelta(days=7),
        status=Campaign.Status.OPEN,
        created_by=community_staff,
    )
    home = grid_home["home"]
    Task.objects.create(campaign=campaign, household=home, area=home.area, worker=grid_worker)
    (card,) = my_tasks(grid_worker)
    assert card["household"] == _title(home)
    assert card["address"] == ADDRESS
    assert "T-BUNDLE-1" not in json.dumps(card, ensure_ascii=False)


@pytest.mark.django_db
def test_the_service_worker_keeps_the_registry_script_and_never_caches_personal_answers(
    grid_worker,
):
    body = _client(grid_worker).get("/app/sw.js").content.decode()
    assert "web/app_registry.js" in body
    for prefix in ("/api/v1/worker/registry/", "/api/v1/care/", "/api/v1/homes/"):
        assert f'"{prefix}"' in body
    page = _client(grid_worker).get("/app/").content.decode()
    assert 'data-tab="registry"' in page
    assert "web/app_registry.js" in page
