from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Transparency figures")

    def ready(self) -> None:
        from transparency import sweeps  # noqa: F401  (registers the daily snapshot sweep)
        from transparency.open_data import register_figure_downloads

        register_figure_downloads()
        from donations.signals import journal_posted

        journal_posted.connect(_donations_moved, dispatch_uid="transparency_donations_moved")


def _donations_moved(sender, **kwargs) -> None:
    from transparency.tasks import snapshot_refresh_task

    snapshot_refresh_task.enqueue()
