from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VettingConfig(AppConfig):
    name = "vetting"
    verbose_name = _("Vetting")

    def ready(self) -> None:
        from notifications.events import register_param_labels
        from vetting import sweeps  # noqa: F401  (registers the expiry sweep)
        from vetting.models import ChangeRequestState

        register_param_labels("decision", ChangeRequestState, shown_as="decision_label")
