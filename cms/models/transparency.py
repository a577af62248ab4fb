"""The transparency page (/transparency/) and the commendations page (/commendations/).

Both read the current snapshot of the figures (``transparency.selectors``), never the
needs or contracts: each block costs one query whatever the size of the data. Editors
place and order the blocks; an empty English body falls back to the Chinese one, and a
block's heading left empty is the figure's own name in the reader's language.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from organisations.selectors import organisations_may_act
from transparency.figures import Dimension, Metric
from transparency.selectors import (
    agency_timeliness,
    best_records,
    figure_series,
    headline_figures,
    record_rule,
    snapshot_current,
)


def _english() -> bool:
    return get_language() == "en"


class HeadlineFiguresBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    figures = blocks.MultipleChoiceBlock(
        label=_("Figures"),
        choices=Metric.choices,
        default=list(Metric.values),
    )

    class Meta:
        icon = "order"
        label = _("Headline figures")
        template = "cms/blocks/transparency/headline_figures.html"

    def get_context(self, value, parent_context=None):

        context = super().get_context(value, parent_context)
        snapshot = (parent_context or {}).get("snapshot")
        order = [m for m in Metric.values if m in (value["figures"] or [])]
        context["headlines"] = headline_figures(snapshot, order) if snapshot else []
        return context


CHART_DIMENSIONS = [(d.value, d.label) for d in (Dimension.MONTH, Dimension.REGION, Dimension.CATEGORY)]
CHART_KINDS = [("bar", _("Bars")), ("line", _("Line")), ("pie", _("Pie"))]
REGION_LEVELS = [("province", _("Province")), ("city", _("City")), ("county", _("County"))]


class ChartBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), required=False, max_length=120, help_text=_("Empty: the figure and breakdown's name.")
    )
    metric = blocks.ChoiceBlock(label=_("Figure"), choices=Metric.choices, default=Metric.NEEDS_PUBLISHED)
    dimension = blocks.ChoiceBlock(label=_("Breakdown"), choices=CHART_DIMENSIONS, default=Dimension.MONTH)
    kind = blocks.ChoiceBlock(label=_("Chart"), choices=CHART_KINDS, default="bar")
    region_level = blocks.ChoiceBlock(
        label=_("Region level"), choices=REGION_LEVELS, default="county", help_text=_("For a breakdown by region.")
    )
    months = blocks.IntegerBlock(
        label=_("Months shown"), default=12, min_value=3, max_value=60, help_text=_("For a breakdown over time.")
    )
    limit = blocks.IntegerBlock(
        label=_("Regions shown"),
        default=12,
        min_value=3,
        max_value=50,
        help_text=_("The largest first; the downloads hold every region."),
    )
    note = blocks.TextBlock(label=_("Note"), required=False, max_length=500)

    class Meta:
        icon = "pick"
        label = _("Chart")
        template = "cms/blocks/transparency/chart.html"

    def get_context(self, value, parent_context=None):

        context = super().get_context(value, parent_context)
        snapshot = (parent_context or {}).get("snapshot")
        series = None
        if snapshot:
            series = figure_series(
                snapshot,
                metric=value["metric"],
                dimension=value["dimension"],
                level=value["region_level"] or "county",
                months=value["months"] or 12,
                limit=value["limit"] or 12,
            )
        context["series"] = series
        context["chart_data"] = series.chart_data(value["kind"]) if series else None
        context["heading"] = value["heading"] or (series.title if series else "")
        context["chart_id"] = f"chart-{(parent_context or {}).get('block_id') or id(value)}"
        context["data_id"] = context["chart_id"] + "-data"
        context["metric_label"] = Metric(value["metric"]).label
        return context


class AgencyTimelinessBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    limit = blocks.IntegerBlock(
        label=_("Agencies shown"),
        default=20,
        min_value=5,
        max_value=200,
        help_text=_("Those with the most payments due first; the downloads hold every agency."),
    )

    class Meta:
        icon = "table"
        label = _("Agency timeliness table")
        template = "cms/blocks/transparency/agency_timeliness.html"

    def get_context(self, value, parent_context=None):

        context = super().get_context(value, parent_context)
        snapshot = (parent_context or {}).get("snapshot")
        context["agencies"] = agency_timeliness(snapshot, limit=value["limit"]) if snapshot else []
        return context


def _transparency_blocks():
    return [
        ("headline_figures", HeadlineFiguresBlock()),
        ("chart", ChartBlock()),
        ("agency_timeliness", AgencyTimelinessBlock()),
        (
            "text",
            blocks.RichTextBlock(
                label=_("Text"),
                features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
                template="cms/blocks/transparency/text.html",
            ),
        ),
    ]


class TransparencyPage(Page):
    """What was needed, who helped, what it cost and how fast it was paid, from the
    daily snapshot of the figures."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    body = StreamField(_transparency_blocks(), blank=True, verbose_name=_("blocks"))
    body_en = StreamField(_transparency_blocks(), blank=True, verbose_name=_("blocks (English)"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
        FieldPanel("body"),
        FieldPanel(
            "body_en", help_text=_("Leave empty to show the Chinese blocks, in English where they are figures.")
        ),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/transparency_page.html"

    class Meta:
        verbose_name = _("transparency page")

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        english = _english()
        context["title_text"] = self.title_en if english and self.title_en else self.title
        context["intro_text"] = self.intro_en if english and self.intro_en else self.intro
        context["blocks"] = self.body_en if english and len(self.body_en) else self.body
        context["snapshot"] = snapshot_current()
        return context


class CommendationsPage(Page):
    """Organisations and agencies commended by editors, beside the best track records
    computed from evaluations and on-time payment."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
        InlinePanel("commendations", label=_("Commendations"), heading=_("Commendations")),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/commendations_page.html"

    class Meta:
        verbose_name = _("commendations page")

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        english = _english()
        context["title_text"] = self.title_en if english and self.title_en else self.title
        context["intro_text"] = self.intro_en if english and self.intro_en else self.intro
        commendations = list(
            self.commendations.select_related("organisation", "agency", "agency__region").order_by("sort_order", "pk")
        )
        listed = set(
            organisations_may_act()
            .filter(pk__in=[c.organisation_id for c in commendations if c.organisation_id])
            .values_list("pk", flat=True)
        )
        for c in commendations:
            c.citation_text = c.citation_en if english and c.citation_en else c.citation
            c.in_directory = c.organisation_id in listed
        context["commendations"] = commendations
        snapshot = snapshot_current()
        context["snapshot"] = snapshot
        context["records"] = best_records(snapshot) if snapshot else {}
        context["record_rule"] = record_rule()
        return context


class Commendation(Orderable):
    """One organisation or one agency commended, with a citation in Chinese (and in
    English) and the date it was made."""

    page = ParentalKey(CommendationsPage, on_delete=models.CASCADE, related_name="commendations")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    citation = models.TextField(_("citation"), max_length=1000)
    citation_en = models.TextField(_("citation (English)"), max_length=1000, blank=True)
    date = models.DateField(_("date"))

    panels = [
        MultiFieldPanel([FieldPanel("organisation"), FieldPanel("agency")], heading=_("Commended (one of the two)")),
        FieldPanel("citation"),
        FieldPanel("citation_en"),
        FieldPanel("date"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organisation__isnull=False) & models.Q(agency__isnull=True))
                | (models.Q(organisation__isnull=True) & models.Q(agency__isnull=False)),
                name="commendation_of_one_organisation_or_agency",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.agency or "")

    @property
    def name(self) -> str:
        return self.organisation.legal_name if self.organisation_id else self.agency.name  # type: ignore[union-attr]  # one is set

    def clean(self) -> None:
        if bool(self.organisation_id) == bool(self.agency_id):
            raise ValidationError(_("Commend either an organisation or an agency, not both and not neither."))
