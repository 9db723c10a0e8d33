"""Every write of Party building: the household proposal and its application, points entries
and their approval, automatic entries, quarterly publication, and grading."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.accounts.scope import area_in_scope, require_area_in_scope
from gridgov.areas.models import Area
from gridgov.common.errors import Conflict, DomainError, NotFound, PermissionDenied
from gridgov.party.bounds import bounds, is_exempt
from gridgov.party.models import (
    CentralHousehold,
    Grading,
    HouseholdLink,
    Member,
    Organization,
    PointEntry,
    PointPublication,
    PointRule,
    ServiceRecord,
)
from gridgov.party.proposal import Candidate, Home, Plan, propose
from gridgov.party.selectors import ranking
from gridgov.registry.models import Household

PARTY_STAFF = (Role.PARTY_SECRETARY, Role.AREA_STAFF)


def require_party_staff(user: User) -> None:
    if not (user.is_authenticated and (user.is_superuser or user.role in PARTY_STAFF)):
        raise PermissionDenied(_("Only Party secretaries and area staff do this."))


def member_save(*, user: User, member: Member) -> Member:
    """Create or update a member: the ID number checked (and the birth date and gender taken
    from it), the mobile checked, the grid taken from the home when there is one, all inside
    the user's area."""
    from gridgov.registry.pii import id_birth_date, id_gender, id_number_clean, phone_clean

    require_party_staff(user)
    member.id_number = id_number_clean(member.id_number)
    member.phone = phone_clean(member.phone)
    member.birth_date = id_birth_date(member.id_number)
    member.gender = id_gender(member.id_number)
    if member.household_id:
        member.area = member.household.area
    if not member.area_id:
        raise DomainError(_("Give the member's home or grid."), field="area")
    require_area_in_scope(user, member.area, field="area")
    require_area_in_scope(user, member.organization.area, field="organization")
    if member.in_service and not member.work_unit_id:
        raise DomainError(_("An in-service member names the work unit."), field="work_unit")
    if Member.objects.exclude(pk=member.pk).filter(id_number=member.id_number).exists():
        raise Conflict(_("A member with this ID number is already registered."), code="duplicate")
    member.save()
    return member


def _area(user: User, code: str) -> Area:
    area = Area.objects.filter(code=str(code)).first()
    if area is None:
        raise NotFound(_("No area with code %(code)s.") % {"code": code}, field="root")
    require_area_in_scope(user, area, field="root")
    return area


# The central-household proposal ---------------------------------------------------------
def proposal_inputs(root: Area) -> tuple[list[Home], list[Candidate]]:
    """Unlinked households and the members who may link more, under `root`."""
    b = bounds()
    today = timezone.localdate()
    homes = [
        Home(pk, grid, compound, building)
        for pk, grid, compound, building in Household.objects.filter(
            area__path__startswith=root.path, party_link__isnull=True
        ).values_list("pk", "area_id", "building__compound_id", "building_id")
    ]
    from django.db.models import Count

    members = [
        Candidate(pk, grid, compound, building, linked)
        for pk, grid, compound, building, linked, exempt, birth in Member.objects.filter(
            area__path__startswith=root.path
        )
        .annotate(linked=Count("household_links"))
        .values_list(
            "pk",
            "area_id",
            "household__building__compound_id",
            "household__building_id",
            "linked",
            "exempt",
            "birth_date",
        )
        if not is_exempt(exempt, birth, today, b.exempt_age)
    ]
    return homes, members


def proposal_make(*, user: User, root_code: str) -> Plan:
    require_party_staff(user)
    root = _area(user, root_code)
    homes, members = proposal_inputs(root)
    b = bounds()
    return propose(homes, members, b.households_per_member, b.members_per_central)


def proposal_apply(*, user: User, root_code: str, groups: bool = True) -> dict[str, int]:
    """Write the proposal: household links for unlinked households, and (when asked) central
    households for the grids under the area that have none yet."""
    require_party_staff(user)
    root = _area(user, root_code)
    homes, members = proposal_inputs(root)
    b = bounds()
    plan = propose(homes, members, b.households_per_member, b.members_per_central)
    grid_of = {h.id: h.grid for h in homes}
    with transaction.atomic():
        HouseholdLink.objects.bulk_create(
            [
                HouseholdLink(member_id=m, household_id=h, area_id=grid_of[h])
                for h, m in plan.links.items()
            ],
            batch_size=2000,
            ignore_conflicts=True,  # a household linked meanwhile keeps its member
        )
        made = 0
        if groups:
            member_grid = {m.id: m.grid for m in members}
            busy = set(CentralHousehold.objects.values_list("host_id", flat=True)) | set(
                CentralHousehold.members.through.objects.values_list("member_id", flat=True)
            )
            for group in plan.groups:
                if any(m in busy for m in group):
                    continue
                central = CentralHousehold.objects.create(
                    host_id=group[0], area_id=member_grid[group[0]]
                )
                central.members.set(group)
                made += 1
    return {"links": len(plan.links), "central_households": made, "uncovered": len(plan.uncovered)}


def link_set(*, user: User, household_id: int, member_id: int | None) -> HouseholdLink | None:
    """Staff adjust the proposal: link a household to another member, or unlink it."""
    require_party_staff(user)
    household = Household.objects.select_related("area").filter(pk=household_id).first()
    if household is None or not area_in_scope(user, household.area):
        raise NotFound(_("No such household."))
    with transaction.atomic():
        HouseholdLink.objects.filter(household=household).delete()
        if member_id is None:
            return None
        member = Member.objects.select_related("area").filter(pk=member_id).first()
        if member is None or not area_in_scope(user, member.area):
            raise NotFound(_("No such member."), field="member")
        high = bounds().households_per_member[1]
        if member.household_links.count() >= high:
            raise Conflict(
                _("%(name)s already links %(n)s households, the most allowed.")
                % {"name": member.name, "n": high},
                code="full",
            )
        return HouseholdLink.objects.create(member=member, household=household, area=household.area)


# Points --------------------------------------------------------------------------------------
def point_entry_add(
    *, user: User, member_id: int, rule_code: str, date: Any, evidence: str = ""
) -> PointEntry:
    require_party_staff(user)
    member = Member.objects.select_related("area", "organization").filter(pk=member_id).first()
    if member is None or not area_in_scope(user, member.area):
        raise NotFound(_("No such member."), field="member")
    rule = PointRule.objects.filter(code=rule_code).first()
    if rule is None or rule.automatic:
        raise DomainError(_("No such points rule for entry by hand."), field="rule")
    if rule.applies_to and rule.applies_to != member.organization.kind:
        raise DomainError(_("This rule is not for this member's organization."), field="rule")
    if rule.evidence_required and not evidence.strip():
        raise DomainError(_("This item needs evidence."), field="evidence")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise DomainError(_("The date must be YYYY-MM-DD."), field="date") from None
    if date > timezone.localdate():
        raise DomainError(_("The date is in the future."), field="date")
    return PointEntry.objects.create(
        member=member, rule=rule, points=rule.points, date=date, evidence=evidence.strip()[:300]
    )


def point_entry_decide(*, user: User, entry_id: int, approve: bool) -> PointEntry:
    require_party_staff(user)
    entry = PointEntry.objects.select_related("member__area").filter(pk=entry_id).first()
    if entry is None or not area_in_scope(user, entry.member.area):
        raise NotFound(_("No such entry."))
    status = PointEntry.Status.APPROVED if approve else PointEntry.Status.REJECTED
    if not PointEntry.objects.filter(pk=entry.pk, status=PointEntry.Status.PENDING).update(
        status=status, decided_by=user
    ):
        raise Conflict(_("This entry was already decided."), code="already")
    entry.refresh_from_db()
    return entry


AUTOMATIC_RULES = {
    # code: (category, name, points per unit)
    "auto-service-hours": ("role", "服务时长（每小时）", Decimal("0.5")),
    "auto-event-reported": ("role", "上报问题（被立案）", Decimal("1")),
    "auto-event-solved": ("role", "就地解决问题", Decimal("2")),
    "auto-volunteering": ("role", "志愿服务（每次）", Decimal("1")),
}


def automatic_rules() -> dict[str, PointRule]:
    rules = {}
    for code, (category, name, points) in AUTOMATIC_RULES.items():
        rules[code], _created = PointRule.objects.get_or_create(
            code=code,
            defaults={
                "category": category,
                "name": name,
                "points": points,
                "evidence_required": False,
                "automatic": True,
            },
        )
    return rules


def points_automatic(*, since: dt.date | None = None) -> int:
    """Entries the platform makes itself, approved: service hours and volunteering from
    service records; events a member (signed in as the reporter) reported that were filed,
    and solved on the spot. Each keyed by its source: running again adds nothing twice."""
    from gridgov.events.models import Event, TimelineEntry

    rules = automatic_rules()
    rows: list[PointEntry] = []
    records = ServiceRecord.objects.all()
    if since:
        records = records.filter(date__gte=since)
    for record in records.iterator():
        rule = rules["auto-volunteering" if record.is_volunteering else "auto-service-hours"]
        points = rule.points if record.is_volunteering else rule.points * record.hours
        rows.append(
            PointEntry(
                member_id=record.member_id,
                rule=rule,
                points=points,
                date=record.date,
                evidence=record.description[:300],
                status=PointEntry.Status.APPROVED,
                source_key=f"service:{record.pk}",
            )
        )
    # A member who signs in links through the phone number they share with a user.
    members_by_phone = dict(Member.objects.exclude(phone="").values_list("phone", "pk"))
    users_by_phone = dict(User.objects.exclude(phone="").values_list("pk", "phone"))
    # (rule, source prefix, rows of (event, user, when)): filed reports, on-the-spot solutions.
    from_events = (
        (
            "auto-event-reported",
            "event-reported",
            Event.objects.filter(
                reporter_id__in=users_by_phone, accepted_at__isnull=False
            ).values_list("pk", "reporter_id", "accepted_at"),
        ),
        (
            "auto-event-solved",
            "event-solved",
            TimelineEntry.objects.filter(
                action="solve_on_spot", actor_id__in=users_by_phone
            ).values_list("event_id", "actor_id", "at"),
        ),
    )
    for rule_code, prefix, events in from_events:
        rule = rules[rule_code]
        for event_id, user_id, when in events:
            member = members_by_phone.get(users_by_phone[user_id])
            if member:
                rows.append(
                    PointEntry(
                        member_id=member,
                        rule=rule,
                        points=rule.points,
                        date=timezone.localdate(when),
                        status=PointEntry.Status.APPROVED,
                        source_key=f"{prefix}:{event_id}",
                    )
                )
    before = PointEntry.objects.exclude(source_key="").count()
    PointEntry.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return PointEntry.objects.exclude(source_key="").count() - before


def publication_make(
    *, user: User, organization_id: int, year: int, quarter: int
) -> PointPublication:
    require_party_staff(user)
    organization = Organization.objects.select_related("area").filter(pk=organization_id).first()
    if organization is None or not area_in_scope(user, organization.area):
        raise NotFound(_("No such organization."))
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("The quarter is 1 to 4."), field="quarter")
    today = timezone.localdate()
    if (year, quarter) > (today.year, (today.month - 1) // 3 + 1):
        raise DomainError(_("That quarter has not begun."), field="quarter")
    try:
        with transaction.atomic():
            return PointPublication.objects.create(
                organization=organization,
                year=year,
                quarter=quarter,
                ranking=ranking(organization, year, quarter),
                published_by=user,
            )
    except IntegrityError:
        raise Conflict(
            _("This quarter was already published; publications are not changed."), code="already"
        ) from None


# Grading ------------------------------------------------------------------------------------
def grading_compute(
    *, user: User, organization_id: int, year: int, scores: dict[str, Any]
) -> Grading:
    """Grade an organization for a year from the scoring template: five basics, each scored
    0–20 (platform figures fill in where it has them, see grading.template_for)."""
    from gridgov.party.grading import grade_for, template_for

    require_party_staff(user)
    organization = Organization.objects.select_related("area").filter(pk=organization_id).first()
    if organization is None or not area_in_scope(user, organization.area):
        raise NotFound(_("No such organization."))
    template = template_for(organization, year)
    clean = {}
    for basic in template:
        value = scores.get(basic["key"], basic["suggested"])
        try:
            value = Decimal(str(value))
        except Exception:  # noqa: BLE001
            raise DomainError(_("Scores are numbers."), field=basic["key"]) from None
        if not 0 <= value <= basic["max"]:
            raise DomainError(
                _("%(label)s is scored 0 to %(max)s.")
                % {"label": basic["label"], "max": basic["max"]},
                field=basic["key"],
            )
        clean[basic["key"]] = str(value)
    total = sum(Decimal(v) for v in clean.values())
    grading, _created = Grading.objects.update_or_create(
        organization=organization,
        year=year,
        defaults={"scores": clean, "total": total, "grade": grade_for(total, clean)},
    )
    return grading


# Double registration (双报到) -------------------------------------------------------------
def double_register(
    *, user: User, community_code: str, member_id: int | None = None, unit_id: int | None = None
):
    """An in-service member registers with the community where they live; a unit with the
    community where it sits. Once each."""
    from gridgov.party.models import DoubleRegistration
    from gridgov.registry.models import Unit

    require_party_staff(user)
    community = _area(user, community_code)
    if community.kind != "community":
        raise DomainError(_("Register with a community."), field="community")
    if (member_id is None) == (unit_id is None):
        raise DomainError(_("Name a member or a unit."), field="member")
    member = unit = None
    if member_id is not None:
        member = Member.objects.select_related("area").filter(pk=member_id).first()
        if member is None:
            raise NotFound(_("No such member."), field="member")
        if not member.in_service:
            raise DomainError(_("Only in-service members register (双报到)."), field="member")
        if not member.area.path.startswith(community.path):
            raise DomainError(
                _("A member registers with the community where they live."), field="community"
            )
    else:
        unit = Unit.objects.select_related("area").filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("No such unit."), field="unit")
        if not unit.area.path.startswith(community.path):
            raise DomainError(
                _("A unit registers with the community where it sits."), field="community"
            )
    try:
        with transaction.atomic():
            return DoubleRegistration.objects.create(
                community=community, member=member, unit=unit, registered_on=timezone.localdate()
            )
    except IntegrityError:
        raise Conflict(_("Already registered with this community."), code="duplicate") from None


# Joint meetings -------------------------------------------------------------------------------
def resolution_to_event(*, user: User, resolution_id: int, subclass: str = "2501"):
    """A meeting's resolution that needs handling goes into the event flow (as a referral
    in the meeting's area); the resolution keeps the link and follows the event."""
    from gridgov.events.models import Source
    from gridgov.events.services import event_report
    from gridgov.party.models import Resolution

    require_party_staff(user)
    resolution = (
        Resolution.objects.select_related("meeting__area", "event").filter(pk=resolution_id).first()
    )
    if resolution is None or not area_in_scope(user, resolution.meeting.area):
        raise NotFound(_("No such resolution."))
    if resolution.event_id:
        raise Conflict(_("This resolution is already an event."), code="already")
    area = resolution.meeting.area
    from shapely.geometry import shape

    spot = shape(area.geometry).representative_point() if area.geometry else None
    if spot is None:
        raise DomainError(_("The meeting's area has no boundary to place the event in."))
    with transaction.atomic():
        event = event_report(
            user=user,
            data={
                "subclass": subclass,
                "description": f"{resolution.text}（联席会议决议，责任方：{resolution.owner}，"
                f"时限：{resolution.due_on:%Y-%m-%d}）",
                "lon": spot.x,
                "lat": spot.y,
                "address": area.name,
            },
            source=Source.REFERRAL,
        )
        resolution.event = event
        resolution.save(update_fields=["event"])
    return event


def point_entry_delete(*, user: User, entry_id: int) -> None:
    """Withdraw an entry made by hand that was not approved: approved points are already
    in rankings and publications, and automatic entries come back on the next run."""
    require_party_staff(user)
    entry = PointEntry.objects.select_related("member__area").filter(pk=entry_id).first()
    if entry is None or not area_in_scope(user, entry.member.area):
        raise NotFound(_("No such entry."))
    if entry.status == PointEntry.Status.APPROVED or entry.source_key:
        raise Conflict(_("Approved and automatic entries stay."), code="decided")
    entry.delete()


def double_registration_delete(*, user: User, registration_id: int) -> None:
    from gridgov.party.models import DoubleRegistration

    require_party_staff(user)
    registration = (
        DoubleRegistration.objects.select_related("community").filter(pk=registration_id).first()
    )
    if registration is None or not area_in_scope(user, registration.community):
        raise NotFound(_("No such registration."))
    registration.delete()
