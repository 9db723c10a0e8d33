"""Back office of the assessment: zones with their streets and indicators, and the runs (read
only: a published run never changes, a draft changes only by computing again). Every save
goes through assessment.services, with the same checks as the API and the setup page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from gridgov.assessment.access import district_editor
from gridgov.assessment.models import Assessment, Indicator, Zone, ZoneStreet
from gridgov.assessment.services import (
    indicator_delete,
    indicator_save,
    zone_delete,
    zone_save,
)
from gridgov.common.errors import DomainError


class _Refused(Exception):
    """A service refused part of a back-office save: the whole save is undone."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


class _DistrictEditorOnly:
    def has_module_permission(self, request) -> bool:
        return district_editor(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return district_editor(request.user)


class ZoneStreetInline(admin.TabularInline):
    model = ZoneStreet
    extra = 0
    raw_id_fields = ["street"]
    verbose_name = _("street")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the streets are set with the zone's service (one zone per street)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 1
    fields = ["key", "weight", "target", "baseline", "position"]


@admin.register(Zone)
class ZoneAdmin(_DistrictEditorOnly, admin.ModelAdmin):
    list_display = ["name", "root", "position"]
    fields = ["root", "name", "focus", "position"]
    inlines = [ZoneStreetInline, IndicatorInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return district_editor(request.user)

    def has_add_permission(self, request) -> bool:
        return district_editor(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return district_editor(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["root"] if obj else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The zone and its indicator rows are saved together or not at all: Django saves
        the inlines after the zone, so a refusal of either (a name another zone has, a
        target equal to the baseline …) rolls back everything this request wrote (the audit
        log's rows with it) and the page is shown again as stored, with the service's
        message."""
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            messages.error(request, refused.error.message)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change) -> None:
        try:
            saved = zone_save(
                user=request.user,
                zone_id=obj.pk if change else None,
                root_code=None if change else obj.root.code,
                name=obj.name,
                focus=obj.focus,
                position=obj.position,
            )
        except DomainError as error:
            raise _Refused(error) from error
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change) -> None:
        # What was saved, in the shape the admin's change message reads from a formset.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not Indicator:
            return  # the streets are set with the zone's service, not here
        try:
            for deleted in formset.deleted_forms:
                if deleted.instance.pk:
                    indicator_delete(user=request.user, indicator_id=deleted.instance.pk)
                    formset.deleted_objects.append(deleted.instance)
            for item in formset.forms:
                if item in formset.deleted_forms or not item.has_changed():
                    continue
                data = item.cleaned_data
                saved = indicator_save(
                    user=request.user,
                    zone_id=None if item.instance.pk else form.instance.pk,
                    indicator_id=item.instance.pk,
                    key=data.get("key"),
                    weight=data.get("weight"),
                    target=data.get("target"),
                    baseline=data.get("baseline"),
                    position=data.get("position"),
                )
                if item.instance.pk:
                    formset.changed_objects.append((saved, item.changed_data))
                else:
                    formset.new_objects.append(saved)
        except DomainError as error:
            raise _Refused(error) from error

    def delete_model(self, request, obj) -> None:
        zone_delete(user=request.user, zone_id=obj.pk)


@admin.register(Assessment)
class AssessmentAdmin(_DistrictEditorOnly, admin.ModelAdmin):
    list_display = ["root", "year", "version", "status", "state", "computed_at", "published_at"]
    list_filter = ["status", "state", "year"]
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
