"""The public site's links to Wagtail pages: the pages editors tick "Show in menus" for
under the home page (the main navigation), and the footer's commendations and policy pages.

Every public page shows them, so they are read once per language and kept in the cache
until a page is saved, published, unpublished, moved or deleted (cms.signals).
"""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Page, Site

from cms.models.bilingual import english

register = template.Library()

CACHE_KEY = "cms:site-links:{language}"
FOOTER_SLUGS = ("commendations", "policies")


def site_links_forget() -> None:
    cache.delete_many([CACHE_KEY.format(language=code) for code in ("zh-hans", "en")])


def _site_links() -> dict:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site is not None else Page.objects.filter(depth=2).first()
    links: dict = {"menu": [], "footer": {}}
    if root is None:
        return links
    for page in root.get_children().live().public().specific():
        title = (getattr(page, "title_en", "") if english() else "") or page.title
        if page.show_in_menus:
            links["menu"].append((title, page.get_url(), page.slug))
        if page.slug in FOOTER_SLUGS:
            links["footer"][page.slug] = page.get_url()
    return links


@register.simple_tag
def site_links() -> dict:
    """{"menu": [(title in the reader's language, URL, slug), ...], "footer": {slug: URL}}."""
    key = CACHE_KEY.format(language=translation.get_language() or "zh-hans")
    links = cache.get(key)
    if links is None:
        links = _site_links()
        cache.set(key, links, 3600)
    return links
