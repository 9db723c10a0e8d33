from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "gridgov.dispatch"
    verbose_name = _("Command and dispatch")
