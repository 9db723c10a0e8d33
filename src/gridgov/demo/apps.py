from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gridgov.demo"
    verbose_name = "Demo city"
