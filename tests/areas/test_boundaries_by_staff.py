"""Staff draw boundaries inside their parent, and not the one of the area they answer for."""

import pytest
from shapely.geometry import mapping, shape

from gridgov.areas.models import Area
from gridgov.areas.services import area_update
from gridgov.common.errors import DomainError, PermissionDenied
from tests.conftest import WENHUI, WENHUI_GRID

DISTRICT_SIZED = {
    "type": "Polygon",
    "coordinates": [[[100.0, 26.6], [100.6, 26.6], [100.6, 27.3], [100.0, 27.3], [100.0, 26.6]]],
}


@pytest.mark.django_db
def test_community_staff_cannot_redraw_their_own_community(community_staff):
    before = Area.objects.get(code=WENHUI).geometry
    with pytest.raises(PermissionDenied):
        area_update(user=community_staff, code=WENHUI, geometry=DISTRICT_SIZED)
    assert Area.objects.get(code=WENHUI).geometry == before


@pytest.mark.django_db
def test_a_grid_drawn_beyond_its_community_is_refused(community_staff):
    before = Area.objects.get(code=WENHUI_GRID).geometry
    with pytest.raises(DomainError) as error:
        area_update(user=community_staff, code=WENHUI_GRID, geometry=DISTRICT_SIZED)
    assert error.value.field == "geometry"
    assert Area.objects.get(code=WENHUI_GRID).geometry == before


@pytest.mark.django_db
def test_a_grid_shrunk_inside_its_community_is_saved(community_staff):
    grid = Area.objects.get(code=WENHUI_GRID)
    smaller = mapping(shape(grid.geometry).buffer(-0.0002))
    area_update(user=community_staff, code=WENHUI_GRID, geometry=smaller)
    assert shape(Area.objects.get(code=WENHUI_GRID).geometry).area < shape(grid.geometry).area
