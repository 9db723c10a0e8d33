from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """The resident's side of the loop: following reports and being told, adding to them,
    rating and reopening, signing in by phone, the public view and its moderation, the
    center's callbacks (issue 11). Sits above events: events never imports residents."""

    name = "gridgov.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        # Events tells the apps above it through its signal (events never imports residents).
        from gridgov.events.signals import event_changed
        from gridgov.residents.telling import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="residents.telling")
