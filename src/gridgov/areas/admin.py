import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.areas import services
from gridgov.areas.models import Area, Department, GridWorker
from gridgov.common.admin import ScopedAdmin, ServiceForm
from gridgov.common.errors import DomainError


class AreaForm(ServiceForm):
    parent_code = forms.CharField(label=_("parent code"), required=False)
    geometry_text = forms.CharField(
        label=_("boundary (GeoJSON or WKT, WGS84)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Area
        fields = ("code", "name", "is_generated")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "code" in self.fields:  # a view-only page has no fields
            self.fields["code"].disabled = True
            self.fields["parent_code"].disabled = True
            self.fields["parent_code"].initial = (
                self.instance.parent.code if self.instance.parent_id else ""
            )
            if self.instance.geometry:
                self.fields["geometry_text"].initial = json.dumps(self.instance.geometry)

    def clean_geometry_text(self):
        value = self.cleaned_data["geometry_text"]
        try:
            return services.geometry_fields(value)["geometry"]
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


class GridWorkerInline(admin.TabularInline):
    """Shown on the grid's page; placed and moved on the grid workers' page (the service)."""

    model = GridWorker
    extra = 0
    fields = ("user", "employment", "since")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    view_capability = Capability.AREAS_VIEW
    edit_capability = Capability.AREAS_EDIT
    area_field = ""
    form = AreaForm
    list_display = ("code", "name", "kind", "parent", "is_generated")
    list_filter = ("kind", "is_generated")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    inlines = [GridWorkerInline]

    def has_delete_permission(self, request, obj=None):
        return False  # through the API or a command: deleting a tree node needs its checks

    def service_delete(self, request, obj) -> None:
        services.area_delete(user=request.user, code=obj.code)

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return services.area_update(
                user=request.user,
                code=obj.code,
                name=data["name"],
                geometry=data["geometry_text"],
                is_generated=data["is_generated"],
            )
        return services.area_create(
            user=request.user,
            code=data["code"],
            name=data["name"],
            parent_code=data["parent_code"] or None,
            geometry=data["geometry_text"],
            is_generated=data["is_generated"],
        )


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    view_capability = Capability.AREAS_VIEW
    edit_capability = Capability.AREAS_EDIT
    list_display = ("name", "sector", "area", "phone")
    list_filter = ("sector",)
    search_fields = ("name",)
    autocomplete_fields = ("area", "sunk_into")


@admin.register(GridWorker)
class GridWorkerAdmin(ScopedAdmin):
    view_capability = Capability.AREAS_VIEW
    edit_capability = Capability.AREAS_EDIT
    area_field = "grid"
    list_display = ("user", "grid", "employment", "since")
    list_filter = ("employment",)
    search_fields = ("user__username", "user__last_name", "grid__code", "grid__name")
    autocomplete_fields = ("grid", "user")
    list_select_related = ("user", "grid")

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        return services.grid_worker_save(
            user=request.user,
            assignment_id=obj.pk if change else None,
            grid_code=data["grid"].code,
            worker=data["user"],
            employment=data["employment"],
            since=data.get("since"),
        )

    def service_delete(self, request, obj) -> None:
        services.grid_worker_remove(user=request.user, assignment_id=obj.pk)
