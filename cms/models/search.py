"""The public site search's index: one row per live, public page."""

from __future__ import annotations

from django.db import models


class SiteSearchEntry(models.Model):
    """A live, public page as the site search sees it, in both languages.

    ``title_tokens`` and ``tokens`` hold the text as ``matching.text`` splits it (Chinese
    as overlapping bigrams, words lower-cased) joined by spaces, so that stock full-text
    search matches Chinese: SQLite through an FTS5 table ``cms_sitesearch_fts`` that
    triggers keep in step with this one, PostgreSQL through stored generated tsvector
    columns with GIN indexes (migration 0004_site_pages; not model fields, the database
    fills them). The plain texts are kept for the result's snippet. Kept in step with
    publishing by ``cms.signals``; ``manage.py rebuild_site_search`` starts it afresh.
    """

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+")
    title = models.CharField(max_length=255)
    title_en = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)  # summary and body, plain
    text_en = models.TextField(blank=True)
    title_tokens = models.TextField()  # both titles
    tokens = models.TextField()  # everything: titles, summaries and bodies of both languages
    date = models.DateField(null=True)  # the news item's or policy's date, else first published
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-page_id"]

    def __str__(self) -> str:
        return f"site search entry of page #{self.page_id}"
