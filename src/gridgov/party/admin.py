from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.common.admin import (
    DistrictAdmin,
    PiiAdmin,
    ScopedAdmin,
    ScopedInline,
    references_in_scope,
)
from gridgov.common.errors import DomainError
from gridgov.party import services
from gridgov.party.models import (
    Alliance,
    CentralHousehold,
    DoubleRegistration,
    Grading,
    HouseholdLink,
    Meeting,
    Member,
    Organization,
    PointEntry,
    PointPublication,
    PointRule,
    Resolution,
    ServiceCenter,
    ServicePost,
    ServiceRecord,
)
from gridgov.registry.pii import mask_id_number, mask_phone


class PartyAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.PARTY_EDIT


@admin.register(Organization)
class OrganizationAdmin(PartyAdmin):
    list_display = ("name", "kind", "formation", "area", "parent", "secretary", "founded_on")
    list_filter = ("kind", "formation")
    search_fields = ("name",)
    autocomplete_fields = ("area", "parent", "secretary", "compounds", "committee")


@admin.register(Member)
class MemberAdmin(PiiAdmin):
    """ID numbers and phones masked in the list; unmasked (and recorded) on the detail page
    for roles that need personal data."""

    list_display = (
        "name",
        "status",
        "organization",
        "area",
        "masked_phone",
        "in_service",
        "exempt",
    )
    list_filter = ("status", "in_service", "exempt")
    search_fields = ("name",)
    autocomplete_fields = ("organization", "household", "area", "work_unit")
    readonly_fields = ("birth_date", "gender")
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.PARTY_EDIT
    pii = {"id_number": mask_id_number, "phone": mask_phone}

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not can(request.user, Capability.PII_VIEW):
            # The birth date beside a masked ID number gives back the middle of the number.
            fields = [name for name in fields if name != "birth_date"]
        return fields

    def service_save(self, request, obj, form, change):
        references_in_scope(request.user, form)  # the home and the work unit too
        member = services.member_save(user=request.user, member=obj)
        form._save_m2m()
        return member


@admin.register(CentralHousehold)
class CentralHouseholdAdmin(PartyAdmin):
    list_display = ("host", "area", "size")
    autocomplete_fields = ("host", "members", "area")

    @admin.display(description=_("linked members"))
    def size(self, obj):
        return obj.members.count()


@admin.register(HouseholdLink)
class HouseholdLinkAdmin(PartyAdmin):
    """Staff adjust the proposal here; every change goes through the same checks (scope,
    the most households a member may link)."""

    list_display = ("household", "member", "area", "since")
    fields = ("household", "member")
    autocomplete_fields = ("member", "household")
    search_fields = ("household__number", "member__name")

    def get_readonly_fields(self, request, obj=None):
        return ("household",) if obj else ()  # a link changes its member, not its household

    def service_save(self, request, obj, form, change):
        member = form.cleaned_data.get("member")
        return services.link_set(
            user=request.user,
            household_id=obj.household_id,
            member_id=member.pk if member else None,
        )

    def service_delete(self, request, obj) -> None:
        services.link_set(user=request.user, household_id=obj.household_id, member_id=None)


@admin.register(ServicePost)
class ServicePostAdmin(PartyAdmin):
    list_display = ("name", "kind", "area")
    search_fields = ("name",)
    autocomplete_fields = ("area", "claimed_by")


@admin.register(DoubleRegistration)
class DoubleRegistrationAdmin(PartyAdmin):
    area_field = "community"
    list_display = ("community", "member", "unit", "registered_on")
    fields = ("community", "member", "unit")
    autocomplete_fields = ("community", "member", "unit")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # registered once

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        return services.double_register(
            user=request.user,
            community_code=data["community"].code,
            member_id=data["member"].pk if data.get("member") else None,
            unit_id=data["unit"].pk if data.get("unit") else None,
        )

    def service_delete(self, request, obj) -> None:
        services.double_registration_delete(user=request.user, registration_id=obj.pk)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(PartyAdmin):
    area_field = "member__area"
    list_display = ("member", "date", "hours", "description", "is_volunteering")
    list_filter = ("is_volunteering",)
    autocomplete_fields = ("member", "post")


@admin.register(PointRule)
class PointRuleAdmin(DistrictAdmin):
    """One points scheme for the district: street and community staff read it."""

    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.PARTY_EDIT
    list_display = (
        "code",
        "name",
        "category",
        "points",
        "evidence_required",
        "automatic",
        "applies_to",
    )
    list_filter = ("category", "automatic")


@admin.register(PointEntry)
class PointEntryAdmin(PartyAdmin):
    area_field = "member__area"
    list_display = ("member", "rule", "points", "date", "status", "evidence")
    list_filter = ("status", "rule__category")
    autocomplete_fields = ("member",)
    fields = ("member", "rule", "date", "evidence", "points", "status", "decided_by", "source_key")
    readonly_fields = ("points", "status", "decided_by", "source_key")
    actions = ["approve", "reject"]

    def has_change_permission(self, request, obj=None):
        # Entries are decided (approve, reject), not edited: points follow the rule.
        return obj is None and super().has_change_permission(request)

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        return services.point_entry_add(
            user=request.user,
            member_id=data["member"].pk,
            rule_code=data["rule"].code,
            date=data["date"],
            evidence=data.get("evidence", ""),
        )

    def service_delete(self, request, obj) -> None:
        services.point_entry_delete(user=request.user, entry_id=obj.pk)

    def _decide(self, request, queryset, approve: bool):
        for entry in queryset:
            try:
                services.point_entry_decide(user=request.user, entry_id=entry.pk, approve=approve)
            except DomainError as error:
                self.message_user(request, f"{entry}: {error.message}", messages.WARNING)

    @admin.action(description=_("Approve"))
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(PointPublication)
class PointPublicationAdmin(PartyAdmin):
    area_field = "organization__area"
    list_display = ("organization", "year", "quarter", "published_at")

    def has_add_permission(self, request):
        return False  # published from the branch's page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a publication is a record of what was shown


@admin.register(Grading)
class GradingAdmin(PartyAdmin):
    """Scores by basic (JSON: basic → score); the total and grade come from the template."""

    area_field = "organization__area"
    list_display = ("organization", "year", "total", "grade")
    list_filter = ("year", "grade")
    fields = ("organization", "year", "scores", "total", "grade")
    autocomplete_fields = ("organization",)

    def get_readonly_fields(self, request, obj=None):
        return ("organization", "year", "total", "grade") if obj else ("total", "grade")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "scores" in form.base_fields:
            form.base_fields["scores"].required = False  # empty: the template's suggestions
        return form

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        scores = data.get("scores") or {}
        if not isinstance(scores, dict):
            raise DomainError(_("Scores are a table of basic and score."), field="scores")
        return services.grading_compute(
            user=request.user,
            organization_id=obj.organization_id if change else data["organization"].pk,
            year=obj.year if change else data["year"],
            scores=scores,
        )


class ResolutionInline(ScopedInline):
    model = Resolution
    extra = 1
    raw_id_fields = ("event",)


@admin.register(Meeting)
class MeetingAdmin(PartyAdmin):
    list_display = ("area", "alliance", "held_on")
    autocomplete_fields = ("area", "alliance")
    inlines = [ResolutionInline]


@admin.register(Resolution)
class ResolutionAdmin(PartyAdmin):
    area_field = "meeting__area"
    list_display = ("text", "owner", "due_on", "status", "event")
    list_filter = ("status",)
    raw_id_fields = ("event", "meeting")
    actions = ["to_event"]

    @admin.action(description=_("Hand over to the event flow"))
    def to_event(self, request, queryset):
        for resolution in queryset:
            try:
                event = services.resolution_to_event(user=request.user, resolution_id=resolution.pk)
                self.message_user(request, f"{resolution.text}: {event.number}")
            except DomainError as error:
                self.message_user(request, f"{resolution.text}: {error.message}", messages.WARNING)


@admin.register(Alliance)
class AllianceAdmin(PartyAdmin):
    list_display = ("name", "kind", "area", "lead")
    search_fields = ("name",)
    autocomplete_fields = ("area", "lead", "units")


@admin.register(ServiceCenter)
class ServiceCenterAdmin(PartyAdmin):
    list_display = ("name", "kind", "area", "hours")
    list_filter = ("kind",)
    autocomplete_fields = ("area",)
