"""Every registered back-office page, as the superuser and as each scoped role: lists and
add pages open or are refused (never a 500); Add and Change inside the area succeed for
the roles that edit such records, each leaving an audit row with the actor; references
outside the area are refused and change nothing. A new admin without a row here fails
`test_every_admin_has_a_row`."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.forms.models import _get_foreign_key, model_to_dict

from tests.backoffice.conftest import Side, World, signed_in
from tests.registry.factories import id_number

PERSONAS = (
    "admin_user",
    "district_staff",
    "street_staff",
    "community_staff",
    "party_secretary",
    "operator",
    "grid_worker",
    "department_handler",
    "resident",
)
# Personas whose area holds the other street too: for them "outside" is inside.
DISTRICT_WIDE = {"admin_user", "district_staff"}
AREA_EDITORS = {"admin_user", "district_staff", "street_staff", "community_staff"}
PARTY_EDITORS = AREA_EDITORS | {"party_secretary"}
REGISTRY_EDITORS = AREA_EDITORS | {"grid_worker"}


@dataclass
class Write:
    allowed: set[str]
    build: Callable[[Side, World, str], dict]  # POST data; the tag varies a text field
    change: bool = True  # False: records that are never edited (decided, registered once)
    outside: bool = True  # False: district-wide records, with no area to be outside of
    moves: bool = True  # False: the change form cannot move the record (an area's place)


def _place(side: Side) -> dict:
    return {"lon": side.spot[0], "lat": side.spot[1], "address": "玉泉路1号"}


_ids: dict[str, str] = {}


def _id_for(side: Side, kind: str) -> str:
    """One ID number per record, the same for its Add and its Change."""
    return _ids.setdefault(f"{kind}-{side.grid.code}", id_number())


WRITES: dict[str, Write] = {
    "areas.Area": Write(
        AREA_EDITORS,
        lambda s, w, t: {
            "code": s.grid.code + "901",
            "name": f"微网格{t}",
            "parent_code": s.grid.code,
            "geometry_text": "",
        },
        moves=False,
    ),
    "areas.Department": Write(
        AREA_EDITORS,
        lambda s, w, t: {"name": f"环卫所{t}", "sector": "环卫", "area": s.grid.pk, "phone": ""},
    ),
    "areas.GridWorker": Write(
        AREA_EDITORS,
        lambda s, w, t: {
            "grid": s.grid.pk,
            "user": s.worker.pk,
            "employment": "full_time" if t == "甲" else "part_time",
        },
    ),
    "party.Organization": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "name": f"支部{t}",
            "kind": "grid_branch",
            "formation": "single",
            "area": s.grid.pk,
            "parent": s.organization.pk,
        },
    ),
    "party.Member": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "name": f"党员{t}",
            "id_number": _id_for(s, "member"),
            "phone": "13908881234",
            "status": "formal",
            "organization": s.organization.pk,
            "area": s.grid.pk,
        },
    ),
    "party.CentralHousehold": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "host": s.member.pk,
            "members": [s.member.pk] if t == "甲" else [],
            "area": s.grid.pk,
        },
    ),
    "party.HouseholdLink": Write(
        PARTY_EDITORS,
        lambda s, w, t: {"household": s.household.pk, "member": s.member.pk},
        change=False,
    ),
    "party.ServicePost": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "name": f"责任岗{t}",
            "kind": "post",
            "area": s.grid.pk,
            "claimed_by": [s.member.pk],
        },
    ),
    "party.DoubleRegistration": Write(
        PARTY_EDITORS,
        lambda s, w, t: {"community": s.community.pk, "member": s.member.pk},
        change=False,
    ),
    "party.ServiceRecord": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "member": s.member.pk,
            "date": "2026-01-05",
            "hours": "2",
            "description": f"服务{t}",
        },
    ),
    "party.PointRule": Write(
        DISTRICT_WIDE,
        lambda s, w, t: {
            "code": "t-rule",
            "category": "role",
            "name": f"规则{t}",
            "points": "1",
        },
        outside=False,
    ),
    "party.PointEntry": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "member": s.member.pk,
            "rule": w.rule.pk,
            "date": "2026-01-05",
            "evidence": f"照片{t}",
        },
        change=False,
    ),
    "party.Grading": Write(
        PARTY_EDITORS,
        lambda s, w, t: {"organization": s.organization.pk, "year": "2025", "scores": "{}"},
        change=False,
    ),
    "party.Meeting": Write(
        PARTY_EDITORS,
        lambda s, w, t: {"area": s.grid.pk, "held_on": "2026-01-06", "agenda": f"议程{t}"},
    ),
    "party.Resolution": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "meeting": s.meeting.pk,
            "text": f"决议{t}",
            "owner": "社区",
            "due_on": "2026-02-01",
            "status": "open",
        },
    ),
    "party.Alliance": Write(
        PARTY_EDITORS,
        lambda s, w, t: {
            "name": f"大党委{t}",
            "kind": "big_committee",
            "area": s.grid.pk,
            "lead": s.organization.pk,
            "units": [s.unit.pk],
        },
    ),
    "party.ServiceCenter": Write(
        PARTY_EDITORS,
        lambda s, w, t: {"name": f"驿站{t}", "kind": "station", "area": s.grid.pk, **_place(s)},
    ),
    "smartcodes.PatrolPlan": Write(
        AREA_EDITORS,
        lambda s, w, t: {
            "area": s.grid.pk,
            "kind": "compounds",
            "every_days": "7" if t == "甲" else "3",
            "active": "on",
        },
    ),
    "smartcodes.Policy": Write(
        AREA_EDITORS,
        lambda s, w, t: {
            "area": s.grid.pk,
            "title": f"政策{t}",
            "body": "内容",
            "position": "0",
            "active": "on",
        },
    ),
    "smartcodes.PlateJob": Write(
        REGISTRY_EDITORS, lambda s, w, t: {"area": s.grid.pk}, change=False
    ),
    "canvass.Campaign": Write(
        AREA_EDITORS,
        lambda s, w, t: {"name": f"走访{t}", "area": s.grid.pk, "due_date": "2026-12-31"},
    ),
    "accounts.User": Write(
        AREA_EDITORS,
        lambda s, w, t: {
            "username": f"new-{s.grid.code}",
            "usable_password": "true",
            "password1": "Gr1d-Gov-2026!x",
            "password2": "Gr1d-Gov-2026!x",
            "role": "grid_worker",
            "area": s.grid.pk,
            "phone": "13908881234",
        },
        change=False,  # the change form is covered by tests/backoffice/test_users.py
    ),
    # The registry: the record's area comes from its location.
    "registry.Compound": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {"name": f"小区{t}", "property_status": "managed", **_place(s)},
    ),
    "registry.Building": Write(
        REGISTRY_EDITORS, lambda s, w, t: {"name": f"{t}栋", "floors": "6", **_place(s)}
    ),
    "registry.Household": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {"number": f"HH-{s.grid.code}", "room": f"20{len(t)}{t}", **_place(s)},
    ),
    "registry.Resident": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {
            "name": f"居民{t}",
            "id_number": _id_for(s, "resident"),
            "phone": "13908881234",
            "residence": "registered",
            **_place(s),
        },
    ),
    "registry.RentalHouse": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {"landlord_name": f"房东{t}", "tenants": "2", **_place(s)},
    ),
    "registry.Market": Write(
        REGISTRY_EDITORS, lambda s, w, t: {"name": f"市场{t}", "stalls": "10", **_place(s)}
    ),
    "registry.Business": Write(
        REGISTRY_EDITORS, lambda s, w, t: {"name": f"商店{t}", "kind": "shop", **_place(s)}
    ),
    "registry.Unit": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {
            "name": f"单位{t}",
            "kind": "enterprise",
            "linked_grids": [s.grid.pk],
            **_place(s),
        },
    ),
    "registry.Camera": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {
            "code": f"CAM-{s.grid.code}",
            "name": f"摄像头{t}",
            "kind": "xueliang",
            **_place(s),
        },
    ),
    "registry.Point": Write(
        REGISTRY_EDITORS,
        lambda s, w, t: {"name": f"点位{t}", "purpose": "service", **_place(s)},
    ),
}

# Pages no scoped role may add on: read-only records, and settings kept to the superuser
# (or, for notification channels, to district account administrators).
NO_SCOPED_WRITES: dict[str, set[str]] = {
    "auth.Group": set(),
    "auditlog.LogEntry": set(),
    "otp_totp.TOTPDevice": set(),
    "accounts.ApiToken": set(),
    "accounts.PiiAccess": set(),
    "events.CatalogClass": set(),
    "events.Subclass": set(),
    "events.ComponentType": set(),
    "events.Component": set(),
    "events.RoutingRule": set(),
    "events.CalendarDay": set(),
    "events.Event": set(),
    "events.Whistle": set(),
    "events.AlertSource": set(),
    "events.ResponseTemplate": set(),
    "open311.ApiKey": set(),
    "notifications.Channel": {"district_staff"},
    "notifications.Delivery": set(),
    "smartcodes.SmartCode": set(),
    "smartcodes.CheckIn": set(),
    "smartcodes.Registration": set(),
    "canvass.Task": set(),
    "party.PointPublication": set(),
    # The center changes public views (through the moderation service), never adds them.
    "residents.PublicView": set(),
    "residents.Callback": set(),
    "residents.Follow": set(),
    # The special groups and their visit plans are the district's to set (issue 12).
    "care.CareTag": {"district_staff"},
    # Issue 13: zones are the district's editors'; runs, reports and the export audit are
    # made by services only; subscriptions through the reports' service.
    "assessment.Zone": {"district_staff"},
    "assessment.Assessment": set(),
    "reports.Report": set(),
    "reports.Subscription": set(),
    "reports.EventExport": set(),
}


def admin_url(model, view: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_has_a_row():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(WRITES) | set(NO_SCOPED_WRITES)
    assert not set(WRITES) & set(NO_SCOPED_WRITES)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_list_add_and_change_page_opens_or_is_refused(persona, request, world):
    client = signed_in(request.getfixturevalue(persona))
    for model in admin.site._registry:
        for url in (admin_url(model, "changelist"), admin_url(model, "add")):
            assert client.get(url).status_code in (200, 403), url
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            url = admin_url(model, "change", row.pk)
            # 302: the row lies outside the persona's area ("does not exist").
            assert client.get(url).status_code in (200, 302, 403), url


def _management_forms(model) -> dict:
    """Empty inline formsets, so a POST carries their management forms (the prefix is the
    one Django's inline formset takes: the reverse accessor of its foreign key)."""
    data = {}
    for inline in admin.site._registry[model].inlines:
        fk = _get_foreign_key(model, inline.model, fk_name=inline.fk_name)
        prefix = fk.remote_field.get_accessor_name(model=inline.model).replace("+", "")
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data


def _snapshot(model, pk) -> dict:
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        return {}
    return {key: repr(value) for key, value in model_to_dict(row).items()}


def _errors(response) -> str:
    context = getattr(response, "context_data", None) or {}
    form = context.get("adminform")
    return str(form.form.errors if form else response.status_code)


def _add(client, model, data: dict):
    before = set(model._default_manager.values_list("pk", flat=True))
    response = client.post(admin_url(model, "add"), data | _management_forms(model))
    created = set(model._default_manager.values_list("pk", flat=True)) - before
    return response, created


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("label", sorted(WRITES))
def test_add_and_change_inside_and_outside_the_area(label, persona, request, world):
    case, model = WRITES[label], apps.get_model(label)
    user = request.getfixturevalue(persona)
    superuser = request.getfixturevalue("admin_user")
    client = signed_in(user)
    allowed = persona in case.allowed

    if case.outside:
        response, created = _add(client, model, case.build(world.outside, world, "甲"))
        if allowed and persona in DISTRICT_WIDE:
            assert response.status_code == 302, _errors(response)
            model._default_manager.filter(pk__in=created).delete()
        else:
            assert response.status_code in (200, 403)
            assert not created, "a record with references outside the area was added"

    response, created = _add(client, model, case.build(world.inside, world, "甲"))
    if not allowed:
        assert response.status_code in (200, 403)
        assert not created
        if not case.change:
            return
        admin_client = signed_in(superuser)
        response, created = _add(admin_client, model, case.build(world.inside, world, "甲"))
        assert response.status_code == 302, _errors(response)
    else:
        assert response.status_code == 302, _errors(response)
        assert len(created) == 1
        assert LogEntry.objects.filter(
            actor=user,
            content_type=ContentType.objects.get_for_model(model),
            object_pk=str(next(iter(created))),
        ).exists(), "the write left no audit row with its actor"
    (pk,) = created
    if not case.change:
        return

    url = admin_url(model, "change", pk)
    if case.outside and case.moves:
        # Moving the record's references to another street: only district-wide personas.
        before = _snapshot(model, pk)
        response = client.post(
            url, case.build(world.outside, world, "乙") | _management_forms(model)
        )
        if allowed and persona in DISTRICT_WIDE:
            assert response.status_code == 302, _errors(response)
            return
        assert _snapshot(model, pk) == before, "a reference was moved outside the area"

    before = _snapshot(model, pk)
    response = client.post(url, case.build(world.inside, world, "乙") | _management_forms(model))
    if allowed:
        assert response.status_code == 302, _errors(response)
        assert _snapshot(model, pk) != before
    else:
        assert response.status_code in (200, 302, 403)
        assert _snapshot(model, pk) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "persona"),
    [
        (label, persona)
        for label in sorted(NO_SCOPED_WRITES)
        for persona in PERSONAS
        # The superuser and the personas that administer these records may add them.
        if persona != "admin_user" and persona not in NO_SCOPED_WRITES[label]
    ],
)
def test_pages_kept_from_scoped_roles_refuse_their_add(label, persona, request):
    model = apps.get_model(label)
    client = signed_in(request.getfixturevalue(persona))  # signing in writes audit rows
    before = model._default_manager.count()
    response = client.post(admin_url(model, "add"), {})
    assert response.status_code == 403
    assert model._default_manager.count() == before
