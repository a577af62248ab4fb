from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import signals, sweeps  # noqa: F401  (receivers; the invitations sweep)
        from accounts.models import Role
        from notifications.events import register_param_labels

        register_param_labels("role", Role, shown_as="role_label")
