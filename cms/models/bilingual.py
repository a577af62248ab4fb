"""What every page of the public site shares: a Chinese text and an optional English one.

Chinese is the default language and every page has it. An editor may add English beside
each field; the English view (``/en/<path>``) shows it, and falls back to the Chinese field
where the English one is empty, marked ``lang="zh-Hans"`` so that a screen reader reads it
in the right voice.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index


def english() -> bool:
    return (translation.get_language() or "").split("-")[0] == "en"


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    try:
        return len(value) > 0  # a StreamField value
    except TypeError:
        return bool(value)


class Localized:
    """A field's text in the reader's language, and whether it fell back to Chinese."""

    def __init__(self, page, name: str):
        english_value = getattr(page, f"{name}_en", None) if english() else None
        self.fallback = english() and not _filled(english_value)
        self.value = getattr(page, name) if not (english() and _filled(english_value)) else english_value

    @property
    def lang(self) -> str:
        """The ``lang`` attribute the text needs inside an English page ("" when none)."""
        return "zh-Hans" if self.fallback else ""

    def __str__(self) -> str:
        return str(self.value or "")

    def __bool__(self) -> bool:
        return _filled(self.value)


class BilingualPage(Page):
    """A page with an English title beside the Chinese one, and a summary in both.

    Subclasses give their body fields in pairs too (``body`` / ``body_en``) and list the
    fields the site search reads in ``search_text_fields``.
    """

    title_en = models.CharField(
        _("title (English)"), max_length=255, blank=True, help_text=_("Leave empty to show the Chinese title.")
    )
    summary = models.TextField(
        _("summary"), blank=True, max_length=600, help_text=_("One or two sentences, shown in lists and search.")
    )
    summary_en = models.TextField(_("summary (English)"), blank=True, max_length=600)

    # Read by the site search (cms.search_index): the Chinese names; "<name>_en" is read too.
    search_text_fields: tuple[str, ...] = ("summary", "body")

    search_fields = [
        *Page.search_fields,
        index.SearchField("title_en"),
        index.SearchField("summary"),
        index.SearchField("summary_en"),
    ]

    class Meta:
        abstract = True

    # --- The reader's language ----------------------------------------------------

    def localized(self, name: str) -> Localized:
        return Localized(self, name)

    @property
    def display_title(self) -> Localized:
        return self.localized("title")

    @property
    def display_summary(self) -> Localized:
        return self.localized("summary")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["breadcrumbs"] = [
            (ancestor, Localized(ancestor, "title"))
            for ancestor in self.get_ancestors().filter(depth__gt=1).specific(defer=True)
        ]
        return context


def english_panel(*fields: str) -> MultiFieldPanel:
    """The English fields, grouped so the editor sees at a glance what is translated."""
    return MultiFieldPanel(
        [FieldPanel(f) for f in fields],
        heading=_("English"),
        help_text=_("Optional. An empty English field shows the Chinese text in the English view."),
        classname="collapsed",
    )
