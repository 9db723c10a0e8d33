"""The admin's scope, permissions and writes come from roles, areas and services, as everywhere else.

One write path: a ServiceForm calls its admin's `service_save` once, while the form is
validated, inside a savepoint; a DomainError lands on the form's field and the savepoint
is rolled back. If the page is shown again instead of saved (an invalid inline, say),
the whole request's transaction is rolled back, so a refused write changes nothing.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import router, transaction
from django.db.models import Model, QuerySet

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can, scope_queryset
from gridgov.accounts.services import district_level, pii_access_record
from gridgov.common.admin_lookups import FilterLookupsOnly
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError, OutOfScope

AREA_LABEL = "areas.Area"


def area_lookup_for(model: type[Model]) -> str | None:
    """How rows of `model` reach their area ("" for areas themselves), or None when the
    model is district-wide (rules, catalog) and every editor may reference all of it."""
    if model._meta.label == AREA_LABEL:
        return ""
    registered = admin.site._registry.get(model)
    if isinstance(registered, ScopedAdmin):
        return registered.area_field
    try:
        field = model._meta.get_field("area")
    except FieldDoesNotExist:
        return None
    return "area" if field.is_relation and field.related_model._meta.label == AREA_LABEL else None


def scoped_choices(user, model: type[Model], queryset: QuerySet | None = None) -> QuerySet | None:
    """The rows of `model` the user may reference, or None if the model is not area-bound."""
    lookup = area_lookup_for(model)
    if lookup is None:
        return None
    queryset = model._default_manager.all() if queryset is None else queryset
    return scope_queryset(queryset, user, area_field=lookup)


def references_in_scope(user, form: forms.BaseForm) -> None:
    """Re-check on save every reference the form set: each must lie in the user's area,
    whatever queryset the form field was built with."""
    model = form._meta.model
    for name, value in form.cleaned_data.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.is_relation or not value:
            continue
        wanted = {item.pk for item in value} if field.many_to_many else {value.pk}
        allowed = scoped_choices(user, field.related_model)
        if allowed is not None and allowed.filter(pk__in=wanted).count() != len(wanted):
            raise OutOfScope(field=name)


class ServiceWriteMixin:
    """Form side of the one write path (see the module docstring)."""

    admin_instance = None
    request = None
    saved = None

    def _post_clean(self):
        super()._post_clean()  # the instance is built from the form and model-validated first
        if self.errors or self.admin_instance is None:
            return
        change = not self.instance._state.adding
        # A page that shows personal data masked (PiiAdmin) masks the instance itself:
        # the service gets the real values, the page keeps showing the masks.
        unmasked = getattr(self.instance, "unmasked_values", {})
        masked = {name: getattr(self.instance, name) for name in unmasked}
        for name, value in unmasked.items():
            setattr(self.instance, name, value)
        try:
            with transaction.atomic():
                self.saved = self.admin_instance.service_save(
                    self.request, self.instance, self, change
                )
        except DomainError as error:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
        finally:
            for name, value in masked.items():
                setattr(self.instance, name, value)


class ServiceForm(ServiceWriteMixin, forms.ModelForm):
    pass


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many choice limited to the editor's area."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field.related_model, kwargs.get("queryset"))
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field.related_model, kwargs.get("queryset"))
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ServiceAdminMixin(FilterLookupsOnly, ScopedChoicesMixin):
    """Admin side of the one write path: add, change and delete call the service."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not issubclass(form, ServiceWriteMixin):
            form = type(form.__name__, (ServiceWriteMixin, form), {})
        # A class per request: the acting user must not leak between threads.
        return type(form.__name__, (form,), {"admin_instance": self, "request": request})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if not getattr(request, "admin_saved", False):
                # Shown again with errors: what the form's validation wrote is undone.
                transaction.set_rollback(True)
        return response

    def service_save(self, request, obj, form, change):
        """Write through the app's service; return the saved object. Default: the model's
        save, with every reference re-checked and the saved row required inside the area."""
        references_in_scope(request.user, form)
        obj.save()
        form._save_m2m()
        if not self.get_queryset(request).filter(pk=obj.pk).exists():
            raise OutOfScope()
        return obj

    def save_model(self, request, obj, form, change):
        # The form's validation already wrote through the service (ServiceWriteMixin).
        # The service may return another instance (created or reloaded): the admin's log
        # and redirect use `obj`, so it takes the saved row's values.
        if form.saved is not None and form.saved is not obj:
            for field in obj._meta.concrete_fields:
                setattr(obj, field.attname, getattr(form.saved, field.attname))
            obj._state.adding = False
        request.admin_saved = True

    def save_related(self, request, form, formsets, change):
        # The service wrote the many-to-many fields; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def construct_change_message(self, request, form, formsets, add=False):
        # An inline written by its service (not by formset.save) has no saved-object lists.
        for formset in formsets or ():
            for name in ("new_objects", "changed_objects", "deleted_objects"):
                if not hasattr(formset, name):
                    setattr(formset, name, [])
        return super().construct_change_message(request, form, formsets, add)

    def service_delete(self, request, obj) -> None:
        """Delete through the app's service. Default: only a row inside the user's area."""
        if not self.get_queryset(request).filter(pk=obj.pk).exists():
            raise OutOfScope()
        obj.delete()

    def delete_model(self, request, obj):
        try:
            self.service_delete(request, obj)
        except DomainError as error:
            raise PermissionDenied(error.message) from None  # a 403, and the delete rolled back

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # one refused row: none deleted
            for obj in queryset:
                self.delete_model(request, obj)


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """An inline whose references are limited to the editor's area like its page's."""


class ScopedAdmin(ServiceAdminMixin, admin.ModelAdmin):
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


class DistrictAdmin(ScopedAdmin):
    """District-wide settings (points rules …): read by every role that reads the app,
    written only by district-level staff (whose area is the root of the tree) and
    superusers."""

    area_field = None

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and district_level(request.user)

    def service_save(self, request, obj, form, change):
        if not district_level(request.user):
            raise OutOfScope()
        obj.save()
        form._save_m2m()
        return obj

    def service_delete(self, request, obj) -> None:
        if not district_level(request.user):
            raise OutOfScope()
        obj.delete()


class PiiAdmin(ScopedAdmin):
    """A detail page with personal data: shown unmasked (and every such read recorded) to
    roles that need it, masked for everyone else. `pii` maps each field to its masker."""

    pii: dict = {}

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            if can(request.user, Capability.PII_VIEW):
                pii_access_record(
                    user=request.user,
                    model=obj._meta.label,
                    object_ids=[obj.pk],
                    fields=self.pii,
                    channel="admin",
                    ip=client_address(request),
                )
            elif not hasattr(obj, "unmasked_values"):  # get_form runs more than once a page
                obj.unmasked_values = {name: getattr(obj, name) for name in self.pii}
                for name, mask in self.pii.items():
                    setattr(obj, name, mask(getattr(obj, name)))
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not can(request.user, Capability.PII_VIEW):
            fields += [name for name in self.pii if name not in fields]  # never save masks back
        return fields


def mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1)
