from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-up and sign-in, the profile with preferences, and API keys (robots: cms.robots)."""

    name = "cms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from cms.accounts import signals  # noqa: F401  (connects the receivers)
