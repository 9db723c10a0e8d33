"""Back office: reports, subscriptions and the export audit, read-only except subscriptions
(made through the service, like the API's)."""

from django.contrib import admin

from gridgov.reports.models import EventExport, Report, Subscription
from gridgov.reports.services import subscription_set


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("area", "kind", "start", "status", "finished_at", "pdf_bytes", "xlsx_bytes")
    list_filter = ("kind", "status")
    search_fields = ("area__code", "area__name")
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "area", "kind", "created_at")
    list_filter = ("kind",)
    autocomplete_fields = ()
    raw_id_fields = ("user", "area")

    def save_model(self, request, obj, form, change):
        # The service checks that the user may read the area's reports.
        subscription_set(user=obj.user, area_code=obj.area.code, kind=obj.kind, subscribed=True)

    def delete_model(self, request, obj):
        subscription_set(user=obj.user, area_code=obj.area.code, kind=obj.kind, subscribed=False)


@admin.register(EventExport)
class EventExportAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "format", "rows", "masked", "ip")
    list_filter = ("format", "masked")
    readonly_fields = [f.name for f in EventExport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
