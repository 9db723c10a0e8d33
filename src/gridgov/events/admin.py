from django.contrib import admin

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.common.admin_lookups import FilterLookupsOnly
from gridgov.events.catalog_cache import rows_changed
from gridgov.events.models import (
    AlertSource,
    CalendarDay,
    CatalogClass,
    Component,
    ComponentType,
    Event,
    ResponseTemplate,
    RoutingRule,
    Subclass,
    Summons,
    TimelineEntry,
    Whistle,
)
from gridgov.events.selectors import events_visible


class SuperuserAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """Catalog, routing and calendar: district-wide settings, edited by administrators."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    # Processes keep the catalog and the calendar in memory: each edit moves their version.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rows_changed(self.model)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        rows_changed(self.model)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        rows_changed(self.model)


@admin.register(CatalogClass)
class CatalogClassAdmin(SuperuserAdmin):
    list_display = ("family", "code", "name_zh", "name_en")
    list_filter = ("family",)


@admin.register(Subclass)
class SubclassAdmin(SuperuserAdmin):
    list_display = (
        "code",
        "name_zh",
        "name_en",
        "event_class",
        "default_level",
        "photo_required",
        "publication",
        "public_facility",
        "urgent",
        "active",
    )
    list_filter = (
        "event_class",
        "default_level",
        "urgent",
        "photo_required",
        "publication",
        "public_facility",
        "active",
    )
    search_fields = ("code", "name_zh", "name_en", "keywords")


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(SuperuserAdmin):
    """Ready answers offered when filing (decision 0024)."""

    list_display = ("subclass", "title", "active")
    list_filter = ("active",)
    search_fields = ("title", "subclass__code", "subclass__name_zh", "public_reply")
    autocomplete_fields = ("subclass",)


@admin.register(ComponentType)
class ComponentTypeAdmin(SuperuserAdmin):
    list_display = ("code", "name_zh", "name_en", "component_class")


@admin.register(Component)
class ComponentAdmin(SuperuserAdmin):
    list_display = ("identifier", "component_type", "area", "owner")
    search_fields = ("identifier",)
    raw_id_fields = ("area",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(SuperuserAdmin):
    list_display = ("subclass", "area", "department")
    list_filter = ("subclass__event_class",)
    autocomplete_fields = ("subclass", "area", "department")


@admin.register(CalendarDay)
class CalendarDayAdmin(SuperuserAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_state", "to_state", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """Events are read here; every change goes through the loop's actions (API and pages)."""

    list_display = (
        "number",
        "subclass",
        "state",
        "area",
        "source",
        "urgency",
        "reported_at",
        "stage_due_at",
    )
    list_filter = ("state", "source", "urgency", "subclass__event_class")
    search_fields = ("number", "description", "address")
    inlines = [TimelineInline]
    exclude = ("reporter_phone",)

    def get_queryset(self, request):
        return events_visible(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and can(request.user, Capability.AREAS_VIEW)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SummonsInline(admin.TabularInline):
    model = Summons
    extra = 0
    readonly_fields = (
        "department",
        "check_in_due_at",
        "checked_in_at",
        "checked_in_by",
        "reported_at",
        "report",
    )
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Whistle)
class WhistleAdmin(FilterLookupsOnly, admin.ModelAdmin):
    list_display = ("event", "level", "by", "at")
    list_filter = ("level",)
    inlines = [SummonsInline]
    readonly_fields = ("event", "level", "by", "at", "reason")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible(request.user))

    def has_module_permission(self, request):
        return request.user.is_active and can(request.user, Capability.AREAS_VIEW)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AlertSource)
class AlertSourceAdmin(SuperuserAdmin):
    list_display = ("name", "default_subclass", "freshness_minutes", "active")
