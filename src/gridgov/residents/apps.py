from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """The resident's side of the loop: following reports and being told, adding to them,
    rating and reopening, signing in by phone, the public view and its moderation, the
    center's callbacks (issue 11). Sits above events: events never imports residents."""

    name = "gridgov.residents"
    label = "residents"
    verbose_name = _("Residents")
