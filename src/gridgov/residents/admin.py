"""The resident side in the back office (issue 11): the command center reads and moderates
public views through the same service as the API and the event page; callbacks and
follows are read here, never written. Sign-in codes are not shown at all."""

from django.contrib import admin

from gridgov.common.admin import ScopedAdmin
from gridgov.events.workflow import CENTER
from gridgov.residents.models import Callback, Follow, PublicView
from gridgov.residents.moderation import public_view_moderate


def _center(request) -> bool:
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (user.role in CENTER and user.area_id is not None)


class CenterReadAdmin(ScopedAdmin):
    """Rows of events in the center's area, read by the center (and superusers) only."""

    area_field = "event__area"

    def has_module_permission(self, request):
        return _center(request)

    def has_view_permission(self, request, obj=None):
        return _center(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicView)
class PublicViewAdmin(CenterReadAdmin):
    list_display = ("event", "hidden", "reporter_named", "moderated_by", "moderated_at")
    list_filter = ("hidden", "reporter_named")
    search_fields = ("event__number",)
    fields = (
        "event",
        "hidden",
        "hidden_reason",
        "public_text",
        "approved_photos",
        "reporter_named",
        "moderated_by",
        "moderated_at",
    )
    # The reporter's choice is theirs (the API), the rest is the center's moderation.
    readonly_fields = ("event", "reporter_named", "moderated_by", "moderated_at")

    def has_change_permission(self, request, obj=None):
        return _center(request)

    def service_save(self, request, obj, form, change):
        return public_view_moderate(
            user=request.user,
            event_id=obj.event_id,
            hidden=obj.hidden,
            hidden_reason=obj.hidden_reason,
            public_text=obj.public_text,
            approved_photos=list(obj.approved_photos or []),
        )


@admin.register(Callback)
class CallbackAdmin(CenterReadAdmin):
    list_display = ("event", "at", "by", "reached", "satisfaction")
    list_filter = ("reached",)
    search_fields = ("event__number",)


@admin.register(Follow)
class FollowAdmin(CenterReadAdmin):
    list_display = ("event", "via", "created_at")
    list_filter = ("via",)
    search_fields = ("event__number",)
    # Who follows is a resident's account (often named by a phone): not shown.
    fields = ("event", "via", "created_at")
    readonly_fields = ("event", "via", "created_at")
