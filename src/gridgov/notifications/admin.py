from django.contrib import admin

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.accounts.services import district_level
from gridgov.common.admin_lookups import FilterLookupsOnly
from gridgov.notifications.models import Channel, Delivery


class AccountsAdminOnly(FilterLookupsOnly, admin.ModelAdmin):
    """Channels carry secrets and reach every user: district account administrators only."""

    def has_module_permission(self, request):
        return can(request.user, Capability.ACCOUNTS_EDIT) and district_level(request.user)

    has_view_permission = has_add_permission = has_change_permission = (
        lambda self, request, obj=None: self.has_module_permission(request)
    )
    has_delete_permission = has_change_permission


@admin.register(Channel)
class ChannelAdmin(AccountsAdminOnly):
    list_display = ("name", "kind", "active", "url", "message_kinds", "max_attempts")
    list_filter = ("kind", "active")


@admin.register(Delivery)
class DeliveryAdmin(AccountsAdminOnly):
    list_display = (
        "notification",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel")
    list_select_related = ("notification", "channel")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
