"""Wagtail pages of the public site. Only Wagtail lives in this app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import FigureBlock, SectionBlock


class HomePage(Page):
    """The site root: an introduction and sections editors arrange."""

    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    body = StreamField(
        [
            ("section", SectionBlock()),
            ("figures", blocks.ListBlock(FigureBlock(), label=_("Figures"), template="cms/blocks/figures.html")),
        ],
        blank=True,
        verbose_name=_("sections"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("intro_en"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from django.utils.translation import get_language

        context["intro_text"] = self.intro_en if get_language() == "en" and self.intro_en else self.intro
        return context
