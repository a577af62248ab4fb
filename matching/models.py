"""The search index of the database backend, and the field's synonym list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One published need as the search sees it: the anonymised card only, never identity.

    ``tokens`` holds the card's tokens of ``matching.text`` (bigrams and words, joined by
    spaces); the full-text side matches them: SQLite an FTS5 table kept beside this one
    (``matching_fts``: ``tokens``, ``title_tokens``); PostgreSQL a ``tokens_vector``
    column (``to_tsvector('simple', …)`` of the tokens, the title's positions weighted
    ``A``; migrations 0004–0006) with a GIN index. Neither is a model field: the backend
    writes them.
    """

    need = models.OneToOneField("needs.Need", on_delete=models.CASCADE, primary_key=True, related_name="+")
    tokens = models.TextField()
    category = models.CharField(max_length=40, db_index=True)  # category code
    kind = models.CharField(max_length=10)
    urgency = models.CharField(max_length=10)
    region_path = models.CharField(max_length=80, db_index=True)
    region_l1 = models.CharField(max_length=80)  # the region's ancestor at each level
    region_l2 = models.CharField(max_length=80)
    region_l3 = models.CharField(max_length=80)
    region_l4 = models.CharField(max_length=80, blank=True)
    agency_path = models.CharField(max_length=255)
    budget = models.DecimalField(max_digits=12, decimal_places=2)
    response_deadline = models.DateTimeField(db_index=True)  # the page sorted by deadline
    published_at = models.DateTimeField(db_index=True)
    scope = models.CharField(max_length=10)
    invited = models.TextField(blank=True)  # invited organisation ids, " 12 34 " (space-delimited)
    qualifications = models.CharField(max_length=300, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"search document of need #{self.need_id}"


class SynonymGroup(models.Model):
    """Words the field uses for the same thing (独居老人 · 空巢老人 · 孤寡老人). A query with
    one of them also finds the others; an exact match still ranks first."""

    terms = models.TextField(_("terms"), help_text=_("One word or phrase per line (or separated by commas)."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return " · ".join(self.term_list())

    def term_list(self) -> list[str]:
        import re

        seen: dict[str, None] = {}
        for term in re.split(r"[\n,，、;；]+", self.terms):
            if term.strip():
                seen.setdefault(term.strip(), None)
        return list(seen)


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Email me at once")
    DAILY = "daily", _("One email a day")
    OFF = "off", _("In the notification centre only")


def new_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class SavedSearch(models.Model):
    """A member's search, kept to be told when a new need fits it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=2000, blank=True)  # the search's query string, as on /needs/
    frequency = models.CharField(
        _("email"), max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.IMMEDIATE
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)  # for unsubscribing
    created_at = models.DateTimeField(auto_now_add=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class SearchAlert(models.Model):
    """A new need that fitted a saved search; told once."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="alerts")
    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["saved_search", "need"], name="one_alert_per_need")]

    def __str__(self) -> str:
        return f"alert of need #{self.need_id} for saved search #{self.saved_search_id}"
