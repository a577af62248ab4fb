from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self) -> None:
        from donations import signals, sweeps  # noqa: F401  (the need-closure hook and the allocation sweep)
