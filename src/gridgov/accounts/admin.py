from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, scope_queryset
from gridgov.accounts.services import api_token_create


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "area", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "area__code", "area__name")
    autocomplete_fields = ("area",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (gettext_lazy("Role and area"), {"fields": ("role", "area", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (gettext_lazy("Role and area"), {"fields": ("role", "area")}),
    )

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def has_module_permission(self, request):
        return can(request.user, Capability.ACCOUNTS_EDIT)

    has_view_permission = has_change_permission = has_add_permission = (
        lambda self, request, obj=None: self.has_module_permission(request)
    )  # noqa: E731

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    fields = ("user", "name", "revoked")
    autocomplete_fields = ("user",)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "revoked"])
            return
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        messages.warning(
            request,
            _("The new token is %(key)s — copy it now, it is not shown again.") % {"key": key},
        )


@admin.register(PiiAccess)
class PiiAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "model", "channel", "record_count", "ip")
    list_filter = ("model", "channel")
    date_hierarchy = "at"

    @admin.display(description=gettext_lazy("records"))
    def record_count(self, obj):
        return len(obj.object_ids)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
