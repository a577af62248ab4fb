"""The public navigation's pages: what editors tick "Show in menus" for under the home page."""

from __future__ import annotations

from django import template
from wagtail.models import Page, Site

from cms.models.bilingual import english

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_pages(context) -> list[tuple[str, str, str]]:
    """(title in the reader's language, URL, slug) of the live, public pages the editors
    put in the menu, in the order they have in the page tree."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    root = site.root_page if site is not None else Page.objects.filter(depth=2).first()
    if root is None:
        return []
    items = []
    for page in root.get_children().live().public().in_menu().specific():
        title = getattr(page, "title_en", "") if english() else ""
        items.append((title or page.title, page.get_url(request=request), page.slug))
    return items
