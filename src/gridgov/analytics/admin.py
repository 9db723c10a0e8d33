"""The rollup is derived data: readable by superusers in the back office, never edited there
(`gridgov rollups rebuild` recomputes it)."""

from django.contrib import admin

from gridgov.analytics.models import DailyRollup


@admin.register(DailyRollup)
class DailyRollupAdmin(admin.ModelAdmin):
    list_display = (
        "day",
        "area_id",
        "subclass_id",
        "department_key",
        "source",
        "held",
        "reported",
        "closed",
        "due_to_close",
    )
    list_filter = ("source", "held")
    date_hierarchy = "day"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
