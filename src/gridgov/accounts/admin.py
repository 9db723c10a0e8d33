from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.models import ApiToken, PiiAccess, User
from gridgov.accounts.roles import Capability, Role
from gridgov.accounts.scope import can, scope_queryset
from gridgov.accounts.services import (
    GRANT_FIELDS,
    PRIVILEGED_FIELDS,
    PRIVILEGED_SETS,
    PROFILE_FIELDS,
    api_token_create,
    user_create,
    user_may_manage,
    user_update,
)
from gridgov.common.admin import ServiceAdminMixin
from gridgov.common.admin_lookups import FilterLookupsOnly

ROLE_FIELDSET = (gettext_lazy("Role and area"), {"fields": ("role", "area", "department", "phone")})


@admin.register(User)
class UserAdmin(ServiceAdminMixin, DjangoUserAdmin):
    """Users are written by accounts.services (user_create, user_update): a non-superuser
    never sees Django's own privileges and manages only users of lower roles in their area."""

    list_display = ("username", "last_name", "first_name", "role", "area", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "area__code", "area__name")
    autocomplete_fields = ("area", "department")
    fieldsets = (*DjangoUserAdmin.fieldsets, ROLE_FIELDSET)
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ROLE_FIELDSET)
    # What a non-superuser sees: no superuser or staff flag, no groups, no permissions.
    scoped_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        ROLE_FIELDSET,
        (gettext_lazy("Status"), {"fields": ("is_active",)}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)  # add_fieldsets hold no privileges
        return self.scoped_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return ("role", "area", "department", "is_active", "is_staff", "is_superuser")
        return ()

    def get_queryset(self, request):
        users = scope_queryset(super().get_queryset(request), request.user)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def has_module_permission(self, request):
        return can(request.user, Capability.ACCOUNTS_EDIT)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is None or obj.pk == request.user.pk:
            return self.has_module_permission(request)
        return user_may_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        given = {
            name: data[name]
            for name in (*PROFILE_FIELDS, *GRANT_FIELDS, *PRIVILEGED_FIELDS, *PRIVILEGED_SETS)
            if name in data and name in form.fields and not form.fields[name].disabled
        }
        if change:
            return user_update(actor=request.user, user_id=obj.pk, **given)
        usable = data.get("usable_password", "true") not in (False, "false")
        return user_create(
            actor=request.user,
            password=data.get("password1") if usable else None,
            role=given.pop("role", Role.RESIDENT),
            area=given.pop("area", None),
            username=given.pop("username"),
            **given,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(FilterLookupsOnly, admin.ModelAdmin):
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
class PiiAccessAdmin(FilterLookupsOnly, admin.ModelAdmin):
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
