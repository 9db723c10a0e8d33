from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "gridgov.open311"
    verbose_name = "Open311"

    def ready(self) -> None:
        from gridgov.common.middleware import REFUSALS
        from gridgov.common.ratelimits import KEYED_WRITES
        from gridgov.open311.http import refusal
        from gridgov.open311.quota import keyed_write

        # A NUL character is refused at the door: Open311 clients get the GeoReport shape.
        REFUSALS["/open311/"] = refusal
        # A POST with a valid api_key writes on the key's budget, not the address's.
        KEYED_WRITES["/open311/"] = keyed_write
