from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connect the token cache's save/delete hooks in every process (a shell or a
        # command that never loads the API must still make web processes forget a revoked
        # token; decision 0027).
        from gridgov.accounts import token_cache  # noqa: F401
