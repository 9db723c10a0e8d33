import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from gridgov.accounts.models import PiiAccess
from gridgov.areas.coords import wgs84_to_gcj02
from gridgov.areas.models import Area
from gridgov.registry.models import Resident
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID
from tests.registry.factories import resident_data


def token_for(user) -> str:
    out = io.StringIO()
    call_command("create_token", user.username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def api_as():
    def make(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_for(user)}"})

    return make


@pytest.mark.django_db
def test_create_token_prints_a_working_token_on_its_last_line(community_staff):
    token = token_for(community_staff)
    assert token.startswith("gg_")
    response = Client().get("/api/v1/areas/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [a["code"] for a in response.json()] == [WENHUI]
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_no_token_or_a_wrong_one_is_401():
    assert Client().get("/api/v1/areas/").status_code == 401
    response = Client().get("/api/v1/areas/", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_tree_detail_and_children_are_scoped(api_as, community_staff, operator):
    staff = api_as(community_staff)
    tree = staff.get("/api/v1/areas/tree?depth=1").json()
    assert tree["code"] == WENHUI
    assert len(tree["children"]) == Area.objects.filter(parent__code=WENHUI).count()
    detail = staff.get(f"/api/v1/areas/{WENHUI_GRID}").json()
    assert detail["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert [c["code"] for c in detail["chain"]] == ["530702", "530702001", WENHUI, WENHUI_GRID]
    assert detail["workers"]
    assert detail["generated"] is True
    assert "古城派出所" not in detail["sunk_departments"]
    assert detail["sunk_departments"]
    assert staff.get(f"/api/v1/areas/{JINJIA}").status_code == 404
    assert staff.get("/api/v1/areas/530702").status_code == 404
    district = api_as(operator).get("/api/v1/areas/?parent=530702").json()
    assert len(district) == 11
    assert all(a["child_count"] > 0 for a in district)


@pytest.mark.django_db
def test_geojson_level_for_the_map(api_as, operator):
    collection = api_as(operator).get("/api/v1/areas/geojson?root=530702&level=4").json()
    assert len(collection["features"]) == 620
    assert {f["properties"]["level"] for f in collection["features"]} == {4}


@pytest.mark.django_db
def test_lookup_in_wgs84_and_gcj02_and_out_of_scope(
    api_as, operator, other_community_staff, wenhui_point
):
    client = api_as(operator)
    answer = client.get(f"/api/v1/areas/lookup?lon={wenhui_point[0]}&lat={wenhui_point[1]}").json()
    assert answer["code"] == WENHUI_GRID
    assert len(answer["chain"]) == 4
    gcj = wgs84_to_gcj02(*wenhui_point)
    assert (
        client.get(f"/api/v1/areas/lookup?lon={gcj[0]}&lat={gcj[1]}&crs=gcj02").json()["code"]
        == WENHUI_GRID
    )
    # Beyond ±90 the schema refuses the latitude; inside the bounds but swapped, the service.
    beyond = client.get("/api/v1/areas/lookup?lon=26.8&lat=100.2")
    assert beyond.status_code == 422
    assert beyond.json()["field"] == "lat"
    bad = client.get("/api/v1/areas/lookup?lon=26.8&lat=80")
    assert bad.status_code == 400
    assert bad.json()["field"] == "lon"
    assert client.get("/api/v1/areas/lookup?lon=abc&lat=1").status_code == 422
    assert (
        client.get(
            f"/api/v1/areas/lookup?lon={wenhui_point[0]}&lat={wenhui_point[1]}&crs=mars"
        ).status_code
        == 400
    )
    response = api_as(other_community_staff).get(
        f"/api/v1/areas/lookup?lon={wenhui_point[0]}&lat={wenhui_point[1]}"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"


@pytest.mark.django_db
def test_area_create_over_the_api_with_bad_polygon(api_as, community_staff):
    client = api_as(community_staff)
    response = client.post(
        "/api/v1/areas/",
        {
            "code": WENHUI_GRID + "001",
            "name": "x",
            "parent_code": WENHUI_GRID,
            "geometry": {"type": "LineString", "coordinates": [[100.2, 26.8], [100.3, 26.9]]},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "geometry"
    assert not Area.objects.filter(code=WENHUI_GRID + "001").exists()


@pytest.mark.django_db
def test_registry_over_the_api(api_as, community_staff, operator, wenhui_point):
    staff = api_as(community_staff)
    data = resident_data(wenhui_point)
    created = staff.post("/api/v1/registry/residents", data, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["area"] == WENHUI_GRID
    assert body["id_number"] != data["id_number"]
    duplicate = staff.post("/api/v1/registry/residents", data, content_type="application/json")
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate"
    bad = staff.post(
        "/api/v1/registry/residents",
        data | {"id_number": "110105194912310021"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "id_number"
    assert Resident.objects.count() == 1

    listed = api_as(operator).get("/api/v1/registry/residents").json()
    assert listed["count"] == 1
    assert "****" in listed["items"][0]["phone"]
    assert api_as(operator).get("/api/v1/registry/residents?reveal=true").status_code == 403
    revealed = staff.get(f"/api/v1/registry/residents/{body['id']}?reveal=true").json()
    assert revealed["id_number"] == data["id_number"]
    assert PiiAccess.objects.filter(user=community_staff, channel="api").count() == 1
    assert staff.get("/api/v1/registry/nonsense").status_code == 422


@pytest.mark.django_db
def test_registry_excel_over_the_api(api_as, community_staff):
    client = api_as(community_staff)
    template = client.get("/api/v1/registry/shops/template.xlsx")
    assert template.status_code == 422  # "shops" is not a kind; businesses is
    template = client.get("/api/v1/registry/businesses/template.xlsx")
    assert template.status_code == 200
    assert template.content[:2] == b"PK"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/registry/businesses/import", {"file": SimpleUploadedFile("x.xlsx", b"not excel")}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"


@pytest.mark.django_db
def test_openapi_is_served(admin_user):
    client = Client()
    client.force_login(admin_user)
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/areas/lookup" in schema["paths"]
    assert "/api/v1/registry/{kind}" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_polygon_import_over_the_api_is_all_or_nothing(api_as, community_staff):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.areas.factories import micro_grid_features

    client = api_as(community_staff)
    good, bad = micro_grid_features()

    def upload(features):
        content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        return client.post(
            "/api/v1/areas/import", {"file": SimpleUploadedFile("a.geojson", content)}
        )

    response = upload([good, bad])
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2
    assert not Area.objects.filter(code=WENHUI_GRID + "001").exists()
    response = upload([good])
    assert response.status_code == 200
    assert response.json()["created"] == 1


@pytest.mark.django_db
def test_lists_take_a_fixed_number_of_queries(
    api_as, community_staff, wenhui_point, django_assert_max_num_queries
):
    from gridgov.registry.services import record_create

    client = api_as(community_staff)
    household = record_create(
        user=community_staff,
        kind_key="households",
        data={"number": "H1", "lon": wenhui_point[0], "lat": wenhui_point[1]},
    )
    for _ in range(3):
        record_create(
            user=community_staff,
            kind_key="residents",
            data=resident_data(wenhui_point, household=household.number),
        )
    with django_assert_max_num_queries(8) as few:
        assert client.get("/api/v1/registry/residents").json()["count"] == 3
    for _ in range(20):
        record_create(
            user=community_staff,
            kind_key="residents",
            data=resident_data(wenhui_point, household="H1"),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/registry/residents").json()["count"] == 23


@pytest.mark.django_db
def test_level_names_default_to_chinese_and_can_be_renamed(api_as, operator, settings):
    client = api_as(operator)
    assert client.get("/api/v1/areas/530702001").json()["level_name"] == "街道/乡镇"
    assert client.get(f"/api/v1/areas/{WENHUI_GRID}").json()["level_name"] == "网格"
    settings.GRIDGOV_LEVEL_NAMES = {"grid": "网格单元"}
    assert client.get(f"/api/v1/areas/{WENHUI_GRID}").json()["level_name"] == "网格单元"


@pytest.mark.django_db
def test_geojson_reads_one_level_only(api_as, admin_user, django_assert_max_num_queries):
    client = api_as(admin_user)
    with django_assert_max_num_queries(6):
        collection = client.get("/api/v1/areas/geojson?level=3").json()
    assert len(collection["features"]) == 65
    assert {f["properties"]["level"] for f in collection["features"]} == {3}
    assert (
        client.get("/api/v1/areas/geojson?root=530702001&level=1").json()["features"][0][
            "properties"
        ]["code"]
        == "530702001"
    )
