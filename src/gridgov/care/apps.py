from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gridgov.care"
    verbose_name = _("Care of special groups")

    def ready(self) -> None:
        # The registry shows the groups on its pages and filters by them through these
        # hooks, never importing care (care sits above it).
        from gridgov.care import panels
        from gridgov.registry import extensions

        extensions.panel_register("person", panels.person_panel)
        extensions.panel_register("household", panels.household_panel)
        extensions.tags_register(panels.tag_options, panels.residents_with_tag)

        from django.db.models.signals import post_save

        from gridgov.care.following import memberships_follow
        from gridgov.registry.models import Resident

        post_save.connect(memberships_follow, sender=Resident, dispatch_uid="care.follow")
