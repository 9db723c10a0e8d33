from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmartCodesConfig(AppConfig):
    name = "gridgov.smartcodes"
    verbose_name = _("Smart codes")
