"""Back office of canvass campaigns: a client of canvass.services like the API.

Add, change and delete call the services (scope, form rules and the audit row come with
them); the area is chosen among the editor's areas and re-checked by the service; the
questions are written as one form through `campaign_form_set`, and only while the
campaign is a draft (answers refer to them afterwards). Answers to personal questions
are masked on task pages for roles without PII_VIEW, and recorded when shown unmasked.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import can
from gridgov.accounts.services import pii_access_record
from gridgov.canvass import selectors, services
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.common.admin import ScopedAdmin
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError

FIELD_COLUMNS = ("key", "label", "kind", "choices", "required", "personal")


def _is_draft(campaign: Campaign | None) -> bool:
    return campaign is None or campaign.status == Campaign.Status.DRAFT


def _specs(formset) -> list[dict]:
    """The questions the inline holds after this post, in their position order."""
    kept = [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None)
        and not form.cleaned_data.get("DELETE")
        and (form.instance.pk or form.has_changed())
    ]
    kept.sort(key=lambda form: form.cleaned_data.get("position") or 0)
    return [{name: form.cleaned_data.get(name) for name in FIELD_COLUMNS} for form in kept]


class FieldFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            services.field_specs_clean(_specs(self))
        except DomainError as error:
            raise ValidationError(error.message) from None


class FieldInline(admin.TabularInline):
    model = Field
    formset = FieldFormSet
    extra = 1
    fields = ("position", *FIELD_COLUMNS)

    # The back office's roles hold capabilities, not Django model permissions.
    def has_view_permission(self, request, obj=None):
        return can(request.user, Capability.CAMPAIGNS_EDIT)

    def has_add_permission(self, request, obj=None):
        return can(request.user, Capability.CAMPAIGNS_EDIT) and _is_draft(obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    view_capability = Capability.CAMPAIGNS_EDIT
    edit_capability = Capability.CAMPAIGNS_EDIT
    list_display = ("name", "area", "due_date", "status", "progress", "results")
    list_filter = ("status",)
    search_fields = ("name",)
    autocomplete_fields = ("area",)
    fields = ("name", "area", "due_date", "instructions", "status", "created_by", "created_at")
    readonly_fields = ("status", "created_by", "created_at")
    inlines = [FieldInline]
    actions = ["launch", "close"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_total=Count("tasks"), n_done=Count("tasks", filter=Q(tasks__status="done")))
        )

    def has_delete_permission(self, request, obj=None):
        # A launched campaign's answers are records: it is closed, not deleted.
        return super().has_delete_permission(request, obj) and _is_draft(obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("done / households"))
    def progress(self, obj):
        return f"{obj.n_done} / {obj.n_total}"

    @admin.display(description=_("results"))
    def results(self, obj):
        url = reverse("canvass_results", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Excel"))

    @admin.display(description=_("results, unmasked"))
    def results_unmasked(self, obj):
        url = reverse("canvass_results", args=[obj.pk]) + "?reveal=1"
        return format_html('<a href="{}">{}</a>', url, _("Excel (recorded)"))

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return [*shown, "results_unmasked"] if can(request.user, Capability.PII_VIEW) else shown

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        common = {
            "user": request.user,
            "name": data["name"],
            "area_code": data["area"].code,
            "due_date": data["due_date"],
            "instructions": data.get("instructions") or "",
        }
        if change:
            return services.campaign_update(campaign_id=obj.pk, **common)
        return services.campaign_create(**common)

    def service_delete(self, request, obj) -> None:
        services.campaign_delete(user=request.user, campaign_id=obj.pk)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Field:
            return super().save_formset(request, form, formset, change)
        if change and not formset.has_changed():
            return None
        # Checked by FieldFormSet.clean and the inline's draft-only permissions first.
        services.campaign_form_set(
            user=request.user, campaign_id=form.instance.pk, fields=_specs(formset)
        )
        return None

    @admin.action(description=_("Launch: a task for every household, to the grid's workers"))
    def launch(self, request, queryset):
        for campaign in queryset:
            try:
                created = services.campaign_launch(user=request.user, campaign_id=campaign.pk)
                self.message_user(
                    request,
                    _("%(name)s: %(n)s new tasks.") % {"name": campaign.name, "n": created},
                )
            except DomainError as error:
                self.message_user(request, f"{campaign.name}: {error.message}", messages.ERROR)

    @admin.action(description=_("Close the campaign"))
    def close(self, request, queryset):
        for campaign in queryset:
            try:
                services.campaign_close(user=request.user, campaign_id=campaign.pk)
            except DomainError as error:
                self.message_user(request, f"{campaign.name}: {error.message}", messages.ERROR)


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    view_capability = Capability.CAMPAIGNS_EDIT
    edit_capability = "none"
    list_display = ("campaign", "household", "area", "worker", "status", "done_at")
    list_filter = ("status", "campaign")
    search_fields = ("household__number",)
    list_select_related = ("campaign", "household", "area", "worker")
    fields = ("campaign", "household", "area", "worker", "status", "answers", "done_at", "done_by")
    readonly_fields = fields

    def get_object(self, request, object_id, from_field=None):
        task = super().get_object(request, object_id, from_field)
        if task is None:
            return None
        form = list(task.campaign.fields.all())
        personal = [f.key for f in form if f.is_personal and task.answers.get(f.key)]
        if not personal:
            return task
        if can(request.user, Capability.PII_VIEW):
            pii_access_record(
                user=request.user,
                model=selectors.AUDIT_MODEL,
                object_ids=[task.pk],
                fields=personal,
                channel="admin",
                ip=client_address(request),
            )
        else:
            # Tasks are read-only here, so the masked answers are never saved back.
            task.answers = selectors.answers_shown(form, task.answers, reveal=False)
        return task
