"""The site search's index follows the pages: publish, unpublish, move and privacy.

A deleted page takes its entry with it (a cascade), so deletion needs no receiver.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.search_index import page_reindex, page_unindex, subtree_reindex
from cms.templatetags.public_menu import site_links_forget


@receiver(page_published)
def _published(sender, instance: Page, **kwargs) -> None:
    page_reindex(page=instance)


@receiver(page_unpublished)
def _unpublished(sender, instance: Page, **kwargs) -> None:
    page_unindex(page_ids=[instance.pk])


@receiver(post_page_move)
def _moved(sender, instance: Page, **kwargs) -> None:
    # Moved under (or out from under) a private page, or out of the site.
    subtree_reindex(page=instance)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def _privacy_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # not when the page itself is being deleted
        subtree_reindex(page=page)


@receiver(post_save)
@receiver(post_delete)
@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _site_links_changed(sender, instance, **kwargs) -> None:
    # The navigation's page links (cms.templatetags.public_menu) are read again.
    if isinstance(instance, Page):
        site_links_forget()
