from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _index_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """A fresh database (or one migrated to this version) gets its site search index at
    once: the home page the migrations made is searchable without a manual rebuild."""
    from django.db import connections

    from cms.models import SiteSearchEntry
    from cms.search_index import index_rebuild

    if using != "default" or "cms_sitesearchentry" not in connections[using].introspection.table_names():
        return
    if not SiteSearchEntry.objects.exists():
        index_rebuild()


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from cms import signals  # noqa: F401 — connects the site search's receivers

        post_migrate.connect(_index_after_migrate, sender=self, dispatch_uid="cms_site_search_index")
