from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "gridgov.open311"
    verbose_name = "Open311"

    def ready(self) -> None:
        from gridgov.common.middleware import REFUSALS
        from gridgov.open311.http import refusal

        # A NUL character is refused at the door: Open311 clients get the GeoReport shape.
        REFUSALS["/open311/"] = refusal
