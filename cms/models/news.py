"""News: an index of news items, newest first, and the items themselves."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.blocks import body_blocks
from cms.models.bilingual import BilingualPage, english_panel
from cms.models.pages import CONTENT_PARENTS

NEWS_PER_PAGE = 10


class NewsIndexPage(BilingualPage):
    """The list of news items below it, newest first, ten to a page."""

    content_panels = [*BilingualPage.content_panels, FieldPanel("summary"), english_panel("title_en", "summary_en")]
    search_text_fields = ("summary",)
    parent_page_types = CONTENT_PARENTS
    subpage_types = ["cms.NewsPage"]
    template = "cms/news_index_page.html"

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def news(self):
        """The items a reader may see: live, public, newest first (ties: newest created)."""
        return NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # get_page: a page number that is not a number, or past the end, is the last page
        # rather than an error.
        context["news_page"] = Paginator(self.news(), NEWS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class NewsPage(BilingualPage):
    """A news item: its date, a summary for the list, and the story."""

    date = models.DateField(_("date"), default=timezone.localdate)
    body = StreamField(body_blocks(), blank=True, verbose_name=_("body"))
    body_en = StreamField(body_blocks(), blank=True, verbose_name=_("body (English)"))

    content_panels = [
        *BilingualPage.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
        english_panel("title_en", "summary_en", "body_en"),
    ]
    search_fields = [
        *BilingualPage.search_fields,
        index.SearchField("body"),
        index.SearchField("body_en"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "cms/news_page.html"

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    @property
    def display_body(self):
        return self.localized("body")

    @property
    def search_date(self):
        return self.date
