from django.contrib import admin, messages
from django.utils.translation import gettext as _

from gridgov.common.admin_lookups import FilterLookupsOnly
from gridgov.open311.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(FilterLookupsOnly, admin.ModelAdmin):
    list_display = ("name", "prefix", "active", "created_at")
    fields = ("name", "active")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "active"])
            return
        record, key = ApiKey.issue(obj.name)
        obj.pk = record.pk
        messages.warning(
            request,
            _("The new key is %(key)s — copy it now, it is not shown again.") % {"key": key},
        )
