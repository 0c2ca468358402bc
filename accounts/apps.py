from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the password-settings check)
            signals,
        )

        signals.connect()  # authentication events into the audit trail (AU-09)
