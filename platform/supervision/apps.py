from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """The auditor's workspace: reading the audit log (and, next, red flags across cases).
    It reads every app and no app reads it."""

    name = "supervision"
    verbose_name = _("Supervision")
