from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.common.admin import PiiAdmin, ScopedAdmin, mask_name
from gridgov.registry.pii import mask_id_number, mask_phone, mask_text
from gridgov.smartcodes.jobs import plate_job_request
from gridgov.smartcodes.models import (
    CheckIn,
    PatrolPlan,
    PlateJob,
    Policy,
    Registration,
    SmartCode,
)


@admin.register(SmartCode)
class SmartCodeAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.REGISTRY_EDIT
    list_display = ("serial", "kind", "area", "created_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("serial",)
    readonly_fields = ("token", "kind", "object_id", "area", "serial", "created_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # codes are issued per area (gridgov plates, or the API)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: a printed plate must keep saying what happened to it


@admin.register(CheckIn)
class CheckInAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = "none"
    area_field = "code__area"
    list_display = ("code", "user", "at", "distance_m", "flag")
    list_filter = ("flag", "far")


@admin.register(PatrolPlan)
class PatrolPlanAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.CAMPAIGNS_EDIT
    list_display = ("area", "kind", "every_days", "active")
    list_filter = ("kind", "active")
    autocomplete_fields = ("area",)


@admin.register(PlateJob)
class PlateJobAdmin(ScopedAdmin):
    """Plates for an area in one job: add one (area, sheet or single), watch it, download."""

    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.REGISTRY_EDIT
    list_display = ("area", "status", "percent", "total", "created_at", "download")
    fields = ("area", "single")
    autocomplete_fields = ("area",)

    @admin.display(description=_("progress"))
    def percent(self, obj):
        return f"{obj.progress:.0%}"

    @admin.display(description=_("PDF"))
    def download(self, obj):
        if obj.status != PlateJob.Status.DONE:
            return obj.error or "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("plate_download", args=[obj.pk]), _("Download")
        )

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, obj, form, change):
        # The job starts after commit: a page shown again with errors starts nothing.
        return plate_job_request(user=request.user, root_code=obj.area.code, single=obj.single)


@admin.register(Policy)
class PolicyAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.CAMPAIGNS_EDIT
    list_display = ("title", "area", "applies_to", "position", "active")
    list_filter = ("applies_to", "active")
    autocomplete_fields = ("area",)


@admin.register(Registration)
class RegistrationAdmin(PiiAdmin):
    """Masked in the list; the detail page shows the data unmasked to roles that need it,
    and every such read is recorded."""

    view_capability = Capability.REGISTRY_VIEW
    edit_capability = "none"
    list_display = ("masked_name", "masked_phone", "came_from", "arrived_on", "area", "created_at")
    list_filter = ("arrived_on",)
    pii = {
        "name": mask_name,
        "id_number": mask_id_number,
        "phone": mask_phone,
        "address": mask_text,
    }

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def get_fields(self, request, obj=None):
        return ["code", "area", *self.pii, "came_from", "arrived_on", "note", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)
