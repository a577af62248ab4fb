from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Transparency figures")

    def ready(self) -> None:
        from transparency import sweeps  # noqa: F401  (registers the daily snapshot sweep)
        from transparency.open_data import register_figure_downloads

        register_figure_downloads()
