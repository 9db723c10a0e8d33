from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanvassConfig(AppConfig):
    name = "gridgov.canvass"
    verbose_name = _("Canvass campaigns")
