"""The home page: the root of the public site."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import FigureBlock, SectionBlock


def _home_sections():
    return [
        ("section", SectionBlock()),
        ("figures", blocks.ListBlock(FigureBlock(), label=_("Figures"), template="cms/blocks/figures.html")),
    ]


class HomePage(Page):
    """The site root: an introduction and sections editors arrange, in Chinese and
    (optionally) English; an empty English field falls back to the Chinese one."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    body = StreamField(_home_sections(), blank=True, verbose_name=_("sections"))
    body_en = StreamField(_home_sections(), blank=True, verbose_name=_("sections (English)"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from django.utils.translation import get_language

        english = get_language() == "en"
        context["title_text"] = self.title_en if english and self.title_en else self.title
        context["intro_text"] = self.intro_en if english and self.intro_en else self.intro
        context["sections"] = self.body_en if english and len(self.body_en) else self.body
        return context
