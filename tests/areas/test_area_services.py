"""Writes to the grid tree: bad input gives a clear error and changes nothing."""

import io
import json

import pytest
import shapely
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from shapely.geometry import mapping, shape

from gridgov.areas.models import Area
from gridgov.areas.polygon_import import features_from_excel, features_from_geojson, import_polygons
from gridgov.areas.services import area_create, area_delete, area_update
from gridgov.common.errors import Conflict, DomainError, NotFound, OutOfScope, PermissionDenied
from tests.areas.factories import BOWTIE, micro_grid_features, micro_square
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID


def tree_state() -> list[tuple]:
    return list(Area.objects.order_by("code").values_list("code", "name", "path", "geometry"))


@pytest.mark.django_db
def test_community_staff_adds_a_micro_grid_in_their_community(community_staff):
    area = area_create(
        user=community_staff,
        code=WENHUI_GRID + "001",
        name="文汇1-1微网格",
        parent_code=WENHUI_GRID,
        geometry=micro_square(WENHUI_GRID),
    )
    assert area.kind == "micro_grid"
    assert area.depth == 4
    assert area.path == f"/530702/530702001/{WENHUI}/{WENHUI_GRID}/{WENHUI_GRID}001/"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"code": "53070200100200100", "name": "x"}, DomainError, "code"),  # 17 digits
        ({"code": "530702001003001001", "name": "x"}, DomainError, "code"),  # not under its parent
        ({"code": "530702001002001001", "name": "x", "geometry": BOWTIE}, DomainError, "geometry"),
        (
            {
                "code": "530702001002001001",
                "name": "x",
                "geometry": {"type": "Point", "coordinates": [100.2, 26.8]},
            },
            DomainError,
            "geometry",
        ),
        (
            {
                "code": "530702001002001001",
                "name": "x",
                "geometry": {"type": "Polygon", "coordinates": "oops"},
            },
            DomainError,
            "geometry",
        ),
        (
            {
                "code": "530702001002001001",
                "name": "x",
                "geometry": "POLYGON ((26.8 100.2, 26.9 100.2, 26.9 100.3, 26.8 100.2))",
            },
            DomainError,
            "geometry",
        ),
        ({"code": "530702001002001001", "name": "  "}, DomainError, "name"),
        (
            {"code": "530702001002999001", "name": "x", "parent_code": "530702001002999"},
            NotFound,
            "parent_code",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_areas_are_refused_and_nothing_changes(community_staff, kwargs, error, field):
    before = tree_state()
    kwargs.setdefault("parent_code", WENHUI_GRID)
    with pytest.raises(error) as raised:
        area_create(user=community_staff, **kwargs)
    assert raised.value.field == field
    assert raised.value.message
    assert tree_state() == before


@pytest.mark.django_db
def test_staff_cannot_touch_another_community(other_community_staff):
    before = tree_state()
    with pytest.raises(OutOfScope):
        area_create(
            user=other_community_staff, code=WENHUI_GRID + "001", name="x", parent_code=WENHUI_GRID
        )
    with pytest.raises(OutOfScope):
        area_update(user=other_community_staff, code=WENHUI, name="改名")
    assert tree_state() == before


@pytest.mark.django_db
def test_roles_without_area_editing_cannot_edit(operator, party_secretary):
    for user in (operator, party_secretary):
        with pytest.raises(PermissionDenied):
            area_update(user=user, code=WENHUI, name="改名")
    assert Area.objects.get(code=WENHUI).name == "文汇社区居委会"


@pytest.mark.django_db
def test_duplicate_code_conflicts(admin_user):
    with pytest.raises(Conflict):
        area_create(user=admin_user, code=WENHUI, name="again", parent_code="530702001")


@pytest.mark.django_db
def test_delete_refuses_an_area_with_children(admin_user):
    with pytest.raises(Conflict):
        area_delete(user=admin_user, code=WENHUI)
    assert Area.objects.filter(code=WENHUI).exists()


@pytest.mark.django_db
def test_geojson_import_creates_micro_grids_all_or_nothing(community_staff):
    good, bad = micro_grid_features()
    before = tree_state()
    result = import_polygons(
        user=community_staff,
        rows=features_from_geojson(
            json.dumps({"type": "FeatureCollection", "features": [good, bad]})
        ),
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "geometry")]
    assert tree_state() == before
    result = import_polygons(
        user=community_staff,
        rows=features_from_geojson(json.dumps({"type": "FeatureCollection", "features": [good]})),
    )
    assert (result.created, result.errors) == (1, [])
    assert Area.objects.get(code=WENHUI_GRID + "001").parent.code == WENHUI_GRID


@pytest.mark.django_db
def test_excel_import_of_polygons_and_a_file_that_is_not_excel(community_staff):
    with pytest.raises(DomainError):
        features_from_excel(b"PK\x03\x04 not really a workbook")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "parent_code", "geometry"])
    sheet.append(
        [WENHUI_GRID + "001", "微网格一", WENHUI_GRID, json.dumps(micro_square(WENHUI_GRID))]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_polygons(user=community_staff, rows=features_from_excel(buffer.getvalue()))
    assert (result.created, result.errors) == (1, [])


@pytest.mark.django_db
def test_import_areas_command_reports_rows_and_fails(tmp_path, admin_user):
    path = tmp_path / "areas.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "12ab", "name": "x"},
                        "geometry": BOWTIE,
                    }
                ],
            }
        )
    )
    before = tree_state()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_areas", str(path), stderr=err)
    assert json.loads(err.getvalue().splitlines()[0])["column"] == "code"
    assert tree_state() == before
    (tmp_path / "not.geojson").write_text("hello")
    with pytest.raises(CommandError, match="GeoJSON"):
        call_command("import_areas", str(tmp_path / "not.geojson"))


@pytest.mark.django_db
def test_validator_finds_overlap_gap_and_outside(admin_user):
    from gridgov.areas.validation import validate_tree

    community = Area.objects.get(code=JINJIA)
    grids = list(Area.objects.filter(parent=community).order_by("code"))
    first, second = shape(grids[0].geometry), shape(grids[1].geometry)
    # grow the first grid over its neighbour and outside the community; shrink the second
    grown = first.union(second.buffer(-0.0005)).union(
        shapely.box(*shape(community.geometry).bounds)
        .difference(shape(community.geometry))
        .buffer(0)
        .intersection(first.buffer(0.01))
    )
    area_update(user=admin_user, code=grids[0].code, geometry=mapping(grown))
    area_update(user=admin_user, code=grids[1].code, geometry=mapping(second.buffer(-0.001)))
    kinds = {
        f.kind for f in validate_tree(list(Area.objects.filter(path__startswith=community.path)))
    }
    assert kinds == {"overlap", "gap", "outside_parent"}
