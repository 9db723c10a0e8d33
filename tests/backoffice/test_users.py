"""Users in the back office: a community staffer manages only users of lower roles in the
community, never sees or sets Django's privileges, and cannot touch a superuser."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.services import user_create, user_update
from gridgov.areas.models import Area
from gridgov.common.errors import DomainError, PermissionDenied
from tests.backoffice.conftest import signed_in
from tests.conftest import JINJIA, WENHUI, WENHUI_GRID

ADD = "/admin/accounts/user/add/"
PASSWORD = "Gr1d-Gov-2026!x"


def change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def new_user(**extra) -> dict:
    return {
        "username": "new_worker",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": Role.GRID_WORKER,
        "area": Area.objects.get(code=WENHUI_GRID).pk,
        "phone": "13908881234",
    } | extra


def change_form(user: User, **extra) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "area": user.area_id or "",
        "department": user.department_id or "",
        "phone": user.phone,
        "is_active": "on",
    } | extra


def snapshot(user: User) -> dict:
    user.refresh_from_db()
    return model_to_dict(user, exclude=["groups", "user_permissions"]) | {
        "groups": list(user.groups.all()),
        "user_permissions": list(user.user_permissions.all()),
    }


@pytest.fixture
def grid_worker_user(db) -> User:
    return User.objects.create(
        username="worker_wenhui",
        role=Role.GRID_WORKER,
        area=Area.objects.get(code=WENHUI_GRID),
        is_staff=True,
        phone="13908880000",
    )


@pytest.mark.django_db
def test_community_staff_never_see_django_privileges(community_staff, grid_worker_user):
    client = signed_in(community_staff)
    for url in (ADD, change_url(grid_worker_user)):
        page = client.get(url).content.decode()
        for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
            assert f'name="{name}"' not in page, (url, name)


@pytest.mark.django_db
def test_community_staff_add_a_grid_worker_of_their_community(community_staff):
    response = signed_in(community_staff).post(ADD, new_user())
    assert response.status_code == 302
    created = User.objects.get(username="new_worker")
    assert (created.role, created.area.code, created.is_superuser) == (
        Role.GRID_WORKER,
        WENHUI_GRID,
        False,
    )
    assert created.is_staff  # a grid worker works in the back office: the flag follows the role
    assert created.check_password(PASSWORD)
    assert LogEntry.objects.filter(actor=community_staff, object_pk=str(created.pk)).exists()


@pytest.mark.django_db
def test_privileges_smuggled_into_the_add_form_are_ignored(community_staff):
    group = Group.objects.create(name="everything")
    response = signed_in(community_staff).post(
        ADD,
        new_user(
            role=Role.RESIDENT,
            is_superuser="on",
            is_staff="on",
            groups=[group.pk],
        ),
    )
    assert response.status_code == 302
    created = User.objects.get(username="new_worker")
    assert not created.is_superuser
    assert not created.is_staff  # a resident has no back office
    assert not created.groups.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "area_code", "field"),
    [
        (Role.AREA_STAFF, WENHUI, "role"),  # an equal role
        (Role.OPERATOR, WENHUI_GRID, "role"),  # a higher role
        (Role.AREA_STAFF, "530702001", "area"),  # street staff: higher and outside
        (Role.GRID_WORKER, JINJIA, "area"),  # another community
    ],
)
def test_community_staff_cannot_create_equal_higher_or_outside_users(
    community_staff, role, area_code, field
):
    area = Area.objects.get(code=area_code)
    count = User.objects.count()
    response = signed_in(community_staff).post(ADD, new_user(role=role, area=area.pk))
    assert response.status_code == 200
    assert field in response.context_data["adminform"].form.errors
    assert User.objects.count() == count


@pytest.mark.django_db
def test_community_staff_cannot_open_or_change_a_superuser(community_staff, admin_user):
    client = signed_in(community_staff)
    before = snapshot(admin_user)
    assert client.get(change_url(admin_user)).status_code == 302  # not in their list
    client.post(change_url(admin_user), change_form(admin_user, phone="13900000000"))
    client.post(
        f"/admin/accounts/user/{admin_user.pk}/password/",
        {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )
    assert snapshot(admin_user) == before


@pytest.mark.django_db
def test_community_staff_cannot_change_an_equal_in_their_community(community_staff):
    colleague = User.objects.create(
        username="colleague", role=Role.AREA_STAFF, area=community_staff.area, is_staff=True
    )
    before = snapshot(colleague)
    response = signed_in(community_staff).post(
        change_url(colleague), change_form(colleague, role=Role.GRID_WORKER)
    )
    assert response.status_code == 403
    assert snapshot(colleague) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": Role.OPERATOR}, "role"),
        ({"area": "JINJIA"}, "area"),
        ({"phone": '"onclick=alert(1)'}, "phone"),
        ({"is_superuser": "on", "is_staff": ""}, None),  # smuggled: ignored
    ],
)
def test_community_staff_cannot_raise_move_or_break_a_lower_user(
    community_staff, grid_worker_user, change, field
):
    if change.get("area") == "JINJIA":
        change = {"area": Area.objects.get(code=JINJIA).pk}
    before = snapshot(grid_worker_user)
    response = signed_in(community_staff).post(
        change_url(grid_worker_user), change_form(grid_worker_user, **change)
    )
    if field is None:
        assert response.status_code == 302
    else:
        assert field in response.context_data["adminform"].form.errors
    assert snapshot(grid_worker_user) == before


@pytest.mark.django_db
def test_community_staff_change_a_lower_users_phone(community_staff, grid_worker_user):
    response = signed_in(community_staff).post(
        change_url(grid_worker_user), change_form(grid_worker_user, phone="0888-5123456")
    )
    assert response.status_code == 302
    grid_worker_user.refresh_from_db()
    assert grid_worker_user.phone == "0888-5123456"
    assert LogEntry.objects.filter(
        actor=community_staff, object_pk=str(grid_worker_user.pk)
    ).exists()


@pytest.mark.django_db
def test_nobody_changes_their_own_role_or_area(community_staff):
    before = snapshot(community_staff)
    signed_in(community_staff).post(
        change_url(community_staff),
        change_form(community_staff, role=Role.OPERATOR, area=Area.objects.get(code="530702").pk),
    )
    assert snapshot(community_staff)["role"] == before["role"]
    assert snapshot(community_staff)["area"] == before["area"]
    with pytest.raises(PermissionDenied):
        user_update(actor=community_staff, user_id=community_staff.pk, role=Role.OPERATOR)


@pytest.mark.django_db
def test_the_service_refuses_privileges_from_a_non_superuser(community_staff):
    area = Area.objects.get(code=WENHUI_GRID)
    for privilege in ({"is_superuser": True}, {"is_staff": True}):
        with pytest.raises(PermissionDenied):
            user_create(
                actor=community_staff,
                username="x",
                password=PASSWORD,
                role=Role.RESIDENT,
                area=area,
                **privilege,
            )
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_a_superuser_may_make_a_superuser(admin_user):
    made = user_create(
        actor=admin_user,
        username="root2",
        password=PASSWORD,
        role=Role.OPERATOR,
        area=None,
        is_superuser=True,
        is_staff=True,
    )
    assert made.is_superuser
    assert made.is_staff


@pytest.mark.django_db
@pytest.mark.parametrize(
    "phone", ['"onclick=alert(1)', "<b>139</b>", "12345", "1390888123x", "010-1234"]
)
def test_user_phones_are_a_mobile_or_a_landline(community_staff, phone):
    with pytest.raises(DomainError) as refused:
        user_create(
            actor=community_staff,
            username="x",
            password=PASSWORD,
            role=Role.RESIDENT,
            area=Area.objects.get(code=WENHUI_GRID),
            phone=phone,
        )
    assert refused.value.field == "phone"
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["13908881234", "+8613908881234", "0888-5123456", "08885123456"])
def test_valid_phones_pass(community_staff, phone):
    made = user_create(
        actor=community_staff,
        username="x",
        password=PASSWORD,
        role=Role.RESIDENT,
        area=Area.objects.get(code=WENHUI_GRID),
        phone=phone,
    )
    assert made.phone == phone
