import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import PHONE_PATTERN, ApiToken, PiiAccess, User
from gridgov.accounts.roles import STAFF_ROLES, SUPERUSER_RANK, Capability, Role, role_rank
from gridgov.accounts.scope import area_in_scope, can, require_area_in_scope, require_capability
from gridgov.common.errors import Conflict, DomainError, NotFound, OutOfScope, PermissionDenied


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a bearer token for `user`. Returns the row and the token, which is not stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8]
    )
    return token, key


def api_token_for_username(*, username: str, name: str = "") -> tuple[ApiToken, str]:
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise NotFound(f"No user named {username!r}.", field="username") from None
    return api_token_create(user=user, name=name)


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__area")
        # The area's polygon is not needed to authenticate: decoding a district's outline
        # took more time than the rest of a report (issue 9).
        .defer("user__area__geometry")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client should not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def pii_access_record(
    *,
    user: User,
    model: str,
    object_ids: Iterable[int],
    fields: Iterable[str],
    channel: str,
    ip: str | None = None,
) -> PiiAccess | None:
    """Audit one unmasked read. Written in its own transaction so a later failure cannot erase it."""
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        return None
    with transaction.atomic():
        return PiiAccess.objects.create(
            user=user,
            model=model,
            object_ids=ids,
            fields=sorted(set(fields)),
            channel=channel,
            ip=ip,
        )


# Users ---------------------------------------------------------------------------------------
def district_level(user: User) -> bool:
    """Superusers and staff whose area is the root of the tree: they alone edit what holds
    for the whole district (points rules, catalog, channels)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(user.area_id and user.area.parent_id is None)


def user_rank(user: User) -> int:
    if user.is_superuser:
        return SUPERUSER_RANK
    return role_rank(user.role, user.area.kind if user.area_id else None)


def user_may_manage(actor: User, target: User) -> bool:
    """True if `actor` may edit `target` (not themselves: see user_update): a superuser
    anyone; others a non-superuser of a strictly lower rank inside their area."""
    if not can(actor, Capability.ACCOUNTS_EDIT):
        return False
    if actor.is_superuser:
        return True
    if target.is_superuser or target.area_id is None or not area_in_scope(actor, target.area):
        return False
    return user_rank(target) < user_rank(actor)


def user_phone_clean(raw: str) -> str:
    """A mobile or a landline; spaces dropped. Anything else (markup above all) refused."""
    value = re.sub(r"\s", "", str(raw or ""))
    if value and not re.match(PHONE_PATTERN, value):
        raise DomainError(
            _("A phone is a mobile (11 digits) or a landline with its area code (0871-12345678)."),
            code="bad_phone",
            field="phone",
        )
    return value


def _grant_check(
    actor: User, *, role: str, area: Any, department: Any, privileged: dict[str, Any]
) -> None:
    """What a non-superuser may give: a role below their own, in their area, and none of
    Django's own privileges (superuser, staff flag, groups, permissions)."""
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if actor.is_superuser:
        return
    for name, value in privileged.items():
        if value:
            raise PermissionDenied(_("Only an administrator sets this."), field=name)
    if area is None:
        raise DomainError(_("Give the user's area."), field="area")
    require_area_in_scope(actor, area, field="area")
    if department is not None and not area_in_scope(actor, department.area):
        raise OutOfScope(field="department")
    if role_rank(role, area.kind) >= user_rank(actor):
        raise PermissionDenied(_("You may only give roles below your own."), field="role")


def user_create(
    *,
    actor: User,
    username: str,
    password: str | None,
    role: str,
    area: Any,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    department: Any = None,
    is_active: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
    groups: Iterable[Any] = (),
    user_permissions: Iterable[Any] = (),
) -> User:
    """Create a user. Preconditions: the actor has ACCOUNTS_EDIT; a non-superuser gives a
    role strictly below their own, inside their area, and no Django privileges (the staff
    flag, which opens the back office, follows the role). `password` None: unusable."""
    require_capability(actor, Capability.ACCOUNTS_EDIT)
    groups, user_permissions = list(groups), list(user_permissions)
    _grant_check(
        actor,
        role=role,
        area=area,
        department=department,
        privileged={
            "is_superuser": is_superuser,
            "is_staff": is_staff,
            "groups": groups,
            "user_permissions": user_permissions,
        },
    )
    if not actor.is_superuser:
        is_staff = role in STAFF_ROLES
    phone = user_phone_clean(phone)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Conflict(_("This username is taken."), code="duplicate", field="username")
        user = User(
            username=username,
            role=role,
            area=area,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            department=department,
            is_active=is_active,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        if groups:
            user.groups.set(groups)
        if user_permissions:
            user.user_permissions.set(user_permissions)
    return user


PROFILE_FIELDS = ("username", "first_name", "last_name", "email", "phone")
GRANT_FIELDS = ("role", "area", "department", "is_active")
PRIVILEGED_FIELDS = ("is_staff", "is_superuser")
PRIVILEGED_SETS = ("groups", "user_permissions")


def user_update(*, actor: User, user_id: int, **changes: Any) -> User:
    """Change a user. `changes` names fields of PROFILE_FIELDS, GRANT_FIELDS,
    PRIVILEGED_FIELDS and PRIVILEGED_SETS; fields left out stay. Preconditions: the actor
    may manage the user (user_may_manage) and the new role and area pass the same checks as
    user_create; anyone may edit their own profile, nobody their own role, area or flags."""
    require_capability(actor, Capability.ACCOUNTS_EDIT)
    unknown = set(changes) - {*PROFILE_FIELDS, *GRANT_FIELDS, *PRIVILEGED_FIELDS, *PRIVILEGED_SETS}
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("No such user."))
        user = User.objects.select_related("area", "department").get(pk=user.pk)
        changed = {name for name in changes if _differs(user, name, changes[name])}
        if user.pk == actor.pk:
            forbidden = changed - set(PROFILE_FIELDS)
            if forbidden:
                raise PermissionDenied(
                    _("Nobody changes their own role, area or rights."), field=sorted(forbidden)[0]
                )
        elif not user_may_manage(actor, user):
            raise PermissionDenied(_("You may not edit this user."))
        elif changed & {*GRANT_FIELDS, *PRIVILEGED_FIELDS, *PRIVILEGED_SETS}:
            _grant_check(
                actor,
                role=changes.get("role", user.role),
                area=changes.get("area", user.area),
                department=changes.get("department", user.department),
                privileged={name: True for name in changed if name in PRIVILEGED_FIELDS}
                | {name: True for name in changed if name in PRIVILEGED_SETS},
            )
        if "phone" in changed:
            changes["phone"] = user_phone_clean(changes["phone"])
        if "username" in changed and (
            User.objects.exclude(pk=user.pk).filter(username__iexact=changes["username"]).exists()
        ):
            raise Conflict(_("This username is taken."), code="duplicate", field="username")
        fields = sorted(changed - set(PRIVILEGED_SETS))
        for name in fields:
            setattr(user, name, changes[name])
        if "role" in changed and not actor.is_superuser:
            user.is_staff = user.role in STAFF_ROLES
            fields.append("is_staff")
        if fields:
            user.save(update_fields=fields)
        for name in changed & set(PRIVILEGED_SETS):
            getattr(user, name).set(changes[name])
    return user


def _differs(user: User, name: str, value: Any) -> bool:
    if name in PRIVILEGED_SETS:
        return {item.pk for item in getattr(user, name).all()} != {item.pk for item in value}
    if name in ("area", "department"):
        return getattr(user, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(user, name) != value
