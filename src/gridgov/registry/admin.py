"""Back office for every registry kind, built from kinds.KINDS.

Lists always mask personal data. The edit form shows it unmasked only to roles
with PII_VIEW, and each such view is audited; other roles see masked, read-only values.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.accounts.services import pii_access_record
from gridgov.common.admin import ScopedAdmin
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError
from gridgov.registry import excel, selectors, services
from gridgov.registry.kinds import KINDS, Kind
from gridgov.registry.pii import MASKERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


class RegistryAdmin(ScopedAdmin):
    kind: Kind
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.REGISTRY_EDIT
    list_per_page = 50
    # A city's registry has a million residents: the unfiltered count costs a second scan.
    show_full_result_count = False
    change_list_template = "admin/registry/change_list.html"
    extra_fields: tuple[str, ...] = ()

    def get_list_display(self, request):
        shown = [c for c in self.kind.columns if c not in ("lon", "lat")][:5]
        return [f"masked_{c}" if c in self.kind.pii else c for c in shown] + ["area"]

    def get_list_select_related(self, request):
        return ["area"]

    def may_see_pii(self, request) -> bool:
        return can(request.user, Capability.PII_VIEW)

    def get_search_results(self, request, queryset, search_term):
        # The registry's own search: masked fields are not searched for roles that see them
        # masked, and searches through personal data are recorded.
        found = selectors.records_search(
            user=request.user,
            kind=self.kind,
            queryset=queryset,
            q=search_term,
            ip=client_address(request),
        )
        return found, False

    def get_fields(self, request, obj=None):
        fields = [*self.kind.columns, *self.extra_fields]
        if not self.may_see_pii(request):
            fields = [f"masked_{c}" if c in self.kind.pii else c for c in fields]
        return [*fields, "area"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        readonly = ["area"] + [f"masked_{c}" for c in self.kind.pii]
        if not self.has_change_permission(request, obj):
            readonly += [*self.kind.columns, *self.extra_fields]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = [
            f for f in self.get_fields(request, obj) if not f.startswith("masked_") and f != "area"
        ]
        return super().get_form(request, obj, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if (
            request.method == "GET"
            and self.kind.pii
            and self.may_see_pii(request)
            and object_id.isdigit()
        ):
            if self.get_queryset(request).filter(pk=object_id).exists():
                pii_access_record(
                    user=request.user,
                    model=self.kind.key,
                    object_ids=[int(object_id)],
                    fields=list(self.kind.pii),
                    channel="admin",
                    ip=client_address(request),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def service_save(self, request, obj, form, change):
        data = {}
        for name in self.kind.columns:
            if name not in form.cleaned_data:
                continue
            value = form.cleaned_data[name]
            if self.kind.references and name in self.kind.references and value is not None:
                value = getattr(value, self.kind.references[name])
            data[name] = value
        if change:
            record = services.record_update(
                user=request.user, kind_key=self.kind.key, pk=obj.pk, data=data
            )
        else:
            record = services.record_create(user=request.user, kind_key=self.kind.key, data=data)
        if "linked_grids" in form.cleaned_data:
            codes = [grid.code for grid in form.cleaned_data["linked_grids"]]
            services.unit_link_grids(user=request.user, unit_id=record.pk, grid_codes=codes)
        return record

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were written by the service; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.record_delete(user=request.user, kind_key=self.kind.key, pk=obj.pk)

    # Excel: template, import, export -------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.kind.model._meta.app_label}_{self.kind.model._meta.model_name}"
        return [
            path(
                "excel/template/",
                self.admin_site.admin_view(self.excel_template),
                name=f"{prefix}_template",
            ),
            path(
                "excel/import/",
                self.admin_site.admin_view(self.excel_import),
                name=f"{prefix}_import",
            ),
            path(
                "excel/export/",
                self.admin_site.admin_view(self.excel_export),
                name=f"{prefix}_export",
            ),
            *super().get_urls(),
        ]

    def _xlsx(self, content: bytes, name: str) -> HttpResponse:
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response

    def excel_template(self, request):
        return self._xlsx(excel.template_bytes(self.kind.key), f"{self.kind.key}-template")

    def excel_export(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        reveal = request.GET.get("reveal") == "1" and self.may_see_pii(request)
        try:
            content = excel.export_bytes(
                user=request.user,
                kind_key=self.kind.key,
                area_code=request.GET.get("area") or None,
                reveal=reveal,
                ip=client_address(request),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(
                reverse(
                    f"admin:{self.kind.model._meta.app_label}_{self.kind.model._meta.model_name}_changelist"
                )
            )
        return self._xlsx(content, self.kind.key)

    def excel_import(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        report = None
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = excel.import_bytes(
                    user=request.user,
                    kind_key=self.kind.key,
                    content=form.cleaned_data["file"].read(),
                )
            except DomainError as error:
                form.add_error("file", error.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.kind.model._meta,
            "form": form,
            "report": report,
            "title": _("Import %(kind)s from Excel") % {"kind": self.kind.label_plural},
        }
        return render(request, "admin/registry/import.html", context)


def _masked(field_name: str, masker: str, label):
    def display(self, obj):
        value = getattr(obj, field_name)
        return MASKERS[masker](value) if value else "-"

    display.short_description = label
    display.__name__ = f"masked_{field_name}"
    return display


for _kind in KINDS.values():
    attrs = {"kind": _kind, "__module__": __name__}
    for _field, _masker in _kind.pii.items():
        attrs[f"masked_{_field}"] = _masked(_field, _masker, _kind.field(_field).verbose_name)
    _names = {f.name for f in _kind.model._meta.get_fields()}
    attrs["search_fields"] = [
        f for f in ("name", "number", "code", "address", "landlord_name") if f in _names
    ]
    attrs["autocomplete_fields"] = list(_kind.references or {})
    if _kind.key == "units":
        attrs["extra_fields"] = ("linked_grids",)
        attrs["autocomplete_fields"].append("linked_grids")
    admin.site.register(_kind.model, type(f"{_kind.model.__name__}Admin", (RegistryAdmin,), attrs))
