from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.roles import Capability
from gridgov.canvass import services
from gridgov.canvass.models import Campaign, Field, Task
from gridgov.common.admin import ScopedAdmin
from gridgov.common.errors import DomainError


class FieldInline(admin.TabularInline):
    model = Field
    extra = 1
    fields = ("position", "key", "label", "kind", "choices", "required")


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = Capability.CAMPAIGNS_EDIT
    list_display = ("name", "area", "due_date", "status", "progress", "results")
    list_filter = ("status",)
    search_fields = ("name",)
    autocomplete_fields = ("area",)
    readonly_fields = ("status", "created_by", "created_at")
    inlines = [FieldInline]
    actions = ["launch", "close"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_total=Count("tasks"), n_done=Count("tasks", filter=Q(tasks__status="done")))
        )

    @admin.display(description=_("done / households"))
    def progress(self, obj):
        return f"{obj.n_done} / {obj.n_total}"

    @admin.display(description=_("results"))
    def results(self, obj):
        url = reverse("canvass_results", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Excel"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

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
            services.campaign_close(user=request.user, campaign_id=campaign.pk)


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    view_capability = Capability.REGISTRY_VIEW
    edit_capability = "none"
    list_display = ("campaign", "household", "area", "worker", "status", "done_at")
    list_filter = ("status", "campaign")
    search_fields = ("household__number",)
    list_select_related = ("campaign", "household", "area", "worker")
