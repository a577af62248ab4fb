"""Standard pages (about, contact, anything an editor writes) and guidance pages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.blocks import body_blocks
from cms.models.bilingual import BilingualPage, english_panel

# Where the site's pages of writing may stand: under the home page and under each other.
CONTENT_PARENTS = ["cms.HomePage", "cms.StandardPage"]


class StandardPage(BilingualPage):
    """A page of writing: text, images, documents, call-outs and figures, in any order."""

    body = StreamField(body_blocks(), blank=True, verbose_name=_("body"))
    body_en = StreamField(body_blocks(), blank=True, verbose_name=_("body (English)"))

    content_panels = [
        *BilingualPage.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        english_panel("title_en", "summary_en", "body_en"),
    ]
    search_fields = [*BilingualPage.search_fields, index.SearchField("body"), index.SearchField("body_en")]
    parent_page_types = CONTENT_PARENTS
    subpage_types = [
        "cms.StandardPage",
        "cms.GuidancePage",
        "cms.NewsIndexPage",
        "cms.PolicyIndexPage",
    ]
    template = "cms/standard_page.html"

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

    @property
    def display_body(self):
        return self.localized("body")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = [
            (child, child.localized("title"), child.localized("summary"))
            for child in self.get_children().live().public().specific()
            if hasattr(child, "localized")
        ]
        return context


class GuidancePage(BilingualPage):
    """How to do something on the platform, step by step (for example "how an
    organisation gets vetted"): who it is for, the steps, and what to have ready."""

    audience = models.CharField(
        _("who this is for"),
        max_length=200,
        blank=True,
        help_text=_("For example: charities and social-work organisations."),
    )
    audience_en = models.CharField(_("who this is for (English)"), max_length=200, blank=True)
    body = StreamField(body_blocks(), blank=True, verbose_name=_("body"))
    body_en = StreamField(body_blocks(), blank=True, verbose_name=_("body (English)"))

    content_panels = [
        *BilingualPage.content_panels,
        FieldPanel("audience"),
        FieldPanel("summary"),
        FieldPanel("body"),
        english_panel("title_en", "audience_en", "summary_en", "body_en"),
    ]
    search_fields = [
        *BilingualPage.search_fields,
        index.SearchField("audience"),
        index.SearchField("audience_en"),
        index.SearchField("body"),
        index.SearchField("body_en"),
    ]
    search_text_fields = ("audience", "summary", "body")
    parent_page_types = CONTENT_PARENTS
    subpage_types: list[str] = []
    template = "cms/guidance_page.html"

    class Meta:
        verbose_name = _("guidance page")
        verbose_name_plural = _("guidance pages")

    @property
    def display_body(self):
        return self.localized("body")

    @property
    def display_audience(self):
        return self.localized("audience")
