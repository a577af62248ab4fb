"""Keeping the site search's index (``SiteSearchEntry``) in step with the pages.

Only live pages that anyone may read are indexed: a page that is a draft, unpublished,
behind a privacy setting (its own or an ancestor's), or outside the site, has no entry.
``cms.signals`` calls ``page_reindex`` when a page is published or unpublished, moved, or
its privacy changes; deleting a page deletes its entry (a cascade). ``index_rebuild``
starts afresh (``manage.py rebuild_site_search``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import SiteSearchEntry
from matching.text import token_string

# Read from every page type, in this order, when it does not name its own
# (``search_text_fields``): the home page's introduction and sections, for instance.
DEFAULT_TEXT_FIELDS = ("intro", "summary", "body")


def _plain(page: Page, name: str) -> str:
    value = getattr(page, name, None)
    if value is None:
        return ""
    stream_block = getattr(value, "stream_block", None)
    if stream_block is not None:  # a StreamField: its blocks' text, HTML stripped
        return "\n".join(t for t in stream_block.get_searchable_content(value) if t and t.strip())
    return str(value).strip()


def page_document(page: Page) -> dict:
    """The entry's columns for a (specific) page."""
    names = getattr(page, "search_text_fields", DEFAULT_TEXT_FIELDS)
    text = "\n".join(t for t in (_plain(page, n) for n in names) if t)
    text_en = "\n".join(t for t in (_plain(page, f"{n}_en") for n in names) if t)
    title_en = (getattr(page, "title_en", "") or "").strip()
    date = getattr(page, "search_date", None)
    if date is None and page.first_published_at:
        date = timezone.localdate(page.first_published_at)  # the day in Beijing, as pages show it
    return {
        "title": page.title,
        "title_en": title_en,
        "text": text,
        "text_en": text_en,
        "title_tokens": token_string(f"{page.title}\n{title_en}"),
        "tokens": token_string("\n".join([page.title, title_en, text, text_en])),
        "date": date,
    }


def public_pages():
    """The pages anyone may read: live, without a privacy setting on them or above them,
    and in a site (under a site's root page)."""
    pages = Page.objects.live().public().filter(depth__gt=1)
    roots = list(Site.objects.values_list("root_page__path", flat=True))
    if not roots:
        return pages.none()
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    return pages.filter(reduce(or_, (Q(path__startswith=root) for root in roots)))


def page_reindex(*, page: Page) -> bool:
    """Index the page if it is public and live, else remove it. True if it is indexed."""
    with transaction.atomic():
        public = public_pages().filter(pk=page.pk).exists()
        if not public:
            SiteSearchEntry.objects.filter(page_id=page.pk).delete()
            return False
        specific = Page.objects.get(pk=page.pk).specific  # the published state, not an instance in hand
        SiteSearchEntry.objects.update_or_create(page_id=page.pk, defaults=page_document(specific))
    return True


def subtree_reindex(*, page: Page) -> None:
    """The page and every page below it (a move or a privacy change affects them all)."""
    for descendant in Page.objects.descendant_of(page, inclusive=True).only("pk", "path", "depth"):
        page_reindex(page=descendant)


def page_unindex(*, page_ids: Iterable[int]) -> None:
    SiteSearchEntry.objects.filter(page_id__in=list(page_ids)).delete()


def index_rebuild(*, progress=None) -> int:
    """Every public page afresh, in one transaction: searches see the old index until the
    new one is complete. Returns how many pages were indexed."""
    done = 0
    with transaction.atomic():
        SiteSearchEntry.objects.all().delete()
        batch: list[SiteSearchEntry] = []
        for page in public_pages().specific().iterator(chunk_size=200):
            batch.append(SiteSearchEntry(page_id=page.pk, **page_document(page)))
            if len(batch) >= 200:
                SiteSearchEntry.objects.bulk_create(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done)
        if batch:
            SiteSearchEntry.objects.bulk_create(batch)
            done += len(batch)
    return done
