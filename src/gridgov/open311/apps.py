from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "gridgov.open311"
    verbose_name = "Open311"
