"""The admin's scope, permissions and writes come from roles, areas and services, as everywhere else."""

from django import forms
from django.contrib import admin
from django.db import transaction

from gridgov.accounts.scope import can, scope_queryset
from gridgov.common.errors import DomainError


class _DryRun(Exception):
    pass


class ServiceForm(forms.ModelForm):
    """Validates by running the admin's service call in a transaction that is rolled back.

    The service is the only write path, so its checks (codes, scope, personal data)
    are the form's checks too, and its errors land on the right field.
    """

    admin_instance: "ScopedAdmin"
    request = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.admin_instance.service_save(
                    self.request, self.instance, self, bool(self.instance.pk)
                )
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
        return cleaned


class ScopedAdmin(admin.ModelAdmin):
    view_capability = ""
    edit_capability = ""
    area_field = "area"
    form = ServiceForm

    def get_queryset(self, request):
        return scope_queryset(
            super().get_queryset(request), request.user, area_field=self.area_field
        )

    def has_module_permission(self, request):
        return can(request.user, self.view_capability)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return can(request.user, self.edit_capability)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if issubclass(form, ServiceForm):
            # A class per request: the acting user must not leak between threads.
            return type(form.__name__, (form,), {"admin_instance": self, "request": request})
        return form

    def service_save(self, request, obj, form, change):
        """Write through the app's service; return the saved object. Default: the model's save."""
        obj.save()
        return obj

    def save_model(self, request, obj, form, change):
        if isinstance(form, ServiceForm):
            saved = self.service_save(request, obj, form, change)
            obj.pk = saved.pk
        else:
            super().save_model(request, obj, form, change)


class PiiAdmin(ScopedAdmin):
    """A detail page with personal data: shown unmasked (and every such read recorded) to
    roles that need it, masked for everyone else. `pii` maps each field to its masker."""

    pii: dict = {}

    def get_form(self, request, obj=None, **kwargs):
        from gridgov.accounts.roles import Capability
        from gridgov.accounts.services import pii_access_record

        if obj is not None:
            if can(request.user, Capability.PII_VIEW):
                pii_access_record(
                    user=request.user,
                    model=obj._meta.label,
                    object_ids=[obj.pk],
                    fields=self.pii,
                    channel="admin",
                    ip=request.META.get("REMOTE_ADDR"),
                )
            else:
                for name, mask in self.pii.items():
                    setattr(obj, name, mask(getattr(obj, name)))
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        from gridgov.accounts.roles import Capability

        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not can(request.user, Capability.PII_VIEW):
            fields += [name for name in self.pii if name not in fields]  # never save masks back
        return fields


def mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1)
