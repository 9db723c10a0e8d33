import pytest

from gridgov.accounts.models import PiiAccess
from gridgov.common.errors import Conflict, DomainError, OutOfScope, PermissionDenied
from gridgov.registry.kinds import KINDS
from gridgov.registry.models import Business, Resident
from gridgov.registry.selectors import records_as_dicts, records_filter
from gridgov.registry.services import record_create, record_delete, record_update
from tests.conftest import WENHUI, WENHUI_GRID
from tests.registry.factories import resident_data


@pytest.mark.django_db
def test_a_resident_is_placed_in_the_grid_of_their_location(community_staff, wenhui_point):
    resident = record_create(
        user=community_staff, kind_key="residents", data=resident_data(wenhui_point)
    )
    assert resident.area.code == WENHUI_GRID
    assert resident.birth_date.year >= 1940
    assert resident.gender in "MF"


@pytest.mark.django_db
def test_choices_accept_chinese_labels(community_staff, wenhui_point):
    resident = record_create(
        user=community_staff,
        kind_key="residents",
        data=resident_data(wenhui_point, residence="流动人口"),
    )
    assert resident.residence == "floating"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"lon": 26.87, "lat": 100.23}, "lon"),
        ({"lon": 116.4, "lat": 39.9}, "lon"),  # Beijing: in China, outside every managed area
        ({"lon": "east", "lat": 26.8}, "lon"),
        ({"residence": "martian"}, "residence"),
        ({"name": ""}, "name"),
        ({"household": "no-such-household"}, "household"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_and_nothing_is_saved(community_staff, wenhui_point, change, field):
    with pytest.raises(DomainError) as error:
        record_create(
            user=community_staff, kind_key="residents", data=resident_data(wenhui_point, **change)
        )
    assert error.value.field == field
    assert Resident.objects.count() == 0


@pytest.mark.django_db
def test_a_resident_is_registered_once(community_staff, wenhui_point):
    data = resident_data(wenhui_point)
    record_create(user=community_staff, kind_key="residents", data=data)
    with pytest.raises(Conflict):
        record_create(user=community_staff, kind_key="residents", data=data | {"name": "另一人"})
    assert Resident.objects.count() == 1


@pytest.mark.django_db
def test_staff_cannot_register_or_edit_outside_their_area(
    community_staff, other_community_staff, wenhui_point, jinjia_point
):
    with pytest.raises(OutOfScope):
        record_create(
            user=other_community_staff, kind_key="residents", data=resident_data(wenhui_point)
        )
    resident = record_create(
        user=community_staff, kind_key="residents", data=resident_data(wenhui_point)
    )
    with pytest.raises(DomainError):  # not found in their scope
        record_update(
            user=other_community_staff, kind_key="residents", pk=resident.pk, data={"name": "x"}
        )
    with pytest.raises(OutOfScope):  # nor can the owner move it out of their own area
        record_update(
            user=community_staff,
            kind_key="residents",
            pk=resident.pk,
            data={"lon": jinjia_point[0], "lat": jinjia_point[1]},
        )
    resident.refresh_from_db()
    assert resident.name == "和丽华"
    assert resident.area.code == WENHUI_GRID
    assert records_filter(user=other_community_staff, kind=KINDS["residents"]).count() == 0


@pytest.mark.django_db
def test_view_only_roles_cannot_write(operator, party_secretary, wenhui_point):
    for user in (operator, party_secretary):
        with pytest.raises(PermissionDenied):
            record_create(user=user, kind_key="residents", data=resident_data(wenhui_point))
    assert Resident.objects.count() == 0


@pytest.mark.django_db
def test_update_and_delete(community_staff, wenhui_point):
    shop = record_create(
        user=community_staff,
        kind_key="businesses",
        data={
            "name": "纳西银器店",
            "kind": "shop",
            "operator_phone": "13908880000",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
            "address": "文汇路1号",
        },
    )
    record_update(
        user=community_staff, kind_key="businesses", pk=shop.pk, data={"name": "纳西银器坊"}
    )
    assert Business.objects.get(pk=shop.pk).name == "纳西银器坊"
    record_delete(user=community_staff, kind_key="businesses", pk=shop.pk)
    assert not Business.objects.exists()


@pytest.mark.django_db
def test_personal_data_is_masked_unless_revealed_by_a_role_that_needs_it(
    community_staff, operator, wenhui_point
):
    data = resident_data(wenhui_point)
    record_create(user=community_staff, kind_key="residents", data=data)
    kind = KINDS["residents"]
    masked = records_as_dicts(
        user=operator, kind=kind, records=records_filter(user=operator, kind=kind)
    )[0]
    assert masked["id_number"] != data["id_number"]
    assert masked["id_number"] == data["id_number"][:2] + "*" * 14 + data["id_number"][-2:]
    assert masked["phone"] == "139****1234"
    assert "3栋201室" not in masked["address"]
    assert masked["birth_date"] is None  # the middle of the ID number, never beside its mask
    assert PiiAccess.objects.count() == 0
    with pytest.raises(PermissionDenied):
        records_as_dicts(
            user=operator, kind=kind, records=records_filter(user=operator, kind=kind), reveal=True
        )
    revealed = records_as_dicts(
        user=community_staff,
        kind=kind,
        records=records_filter(user=community_staff, kind=kind),
        reveal=True,
        channel="api",
    )
    assert revealed[0]["id_number"] == data["id_number"]
    audit = PiiAccess.objects.get()
    assert (audit.user, audit.model, audit.object_ids, audit.channel) == (
        community_staff,
        "residents",
        [revealed[0]["id"]],
        "api",
    )
    assert set(audit.fields) == {"id_number", "phone", "address"}


@pytest.mark.django_db
def test_area_filter_stays_in_scope(community_staff, wenhui_point):
    record_create(user=community_staff, kind_key="residents", data=resident_data(wenhui_point))
    kind = KINDS["residents"]
    assert records_filter(user=community_staff, kind=kind, area_code=WENHUI).count() == 1
    with pytest.raises(DomainError):
        records_filter(user=community_staff, kind=kind, area_code="530702001001")


@pytest.mark.django_db
def test_units_are_linked_to_grids_in_scope_only(community_staff, wenhui_point):
    from gridgov.registry.services import unit_link_grids

    unit = record_create(
        user=community_staff,
        kind_key="units",
        data={
            "name": "文汇小学",
            "kind": "institution",
            "lon": wenhui_point[0],
            "lat": wenhui_point[1],
        },
    )
    assert unit_link_grids(
        user=community_staff, unit_id=unit.pk, grid_codes=[WENHUI_GRID, "530702001002002"]
    ) == [WENHUI_GRID, "530702001002002"]
    with pytest.raises(DomainError):
        unit_link_grids(
            user=community_staff, unit_id=unit.pk, grid_codes=["530702001001001"]
        )  # 金甲社区
    with pytest.raises(DomainError):
        unit_link_grids(
            user=community_staff, unit_id=unit.pk, grid_codes=[WENHUI]
        )  # a community, not a grid
    assert sorted(unit.linked_grids.values_list("code", flat=True)) == [
        WENHUI_GRID,
        "530702001002002",
    ]
