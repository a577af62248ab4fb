from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    """The site as a whole, above every app: the dashboard, the language switch, the
    error pages, the context processors, the demo seeding and the sweeps runner. No app
    imports it (the import-linter contract in pyproject.toml)."""

    name = "website"
    verbose_name = _("Website")
