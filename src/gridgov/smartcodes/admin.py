from django.contrib import admin

from gridgov.accounts.roles import Capability
from gridgov.common.admin import ScopedAdmin
from gridgov.smartcodes.models import CheckIn, PatrolPlan, SmartCode


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
    list_display = ("code", "user", "at", "distance_m", "far")
    list_filter = ("far",)


@admin.register(PatrolPlan)
class PatrolPlanAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.CAMPAIGNS_EDIT
    list_display = ("area", "kind", "every_days", "active")
    list_filter = ("kind", "active")
    autocomplete_fields = ("area",)
