"""Policy documents (政策文件): the rules the platform works under, each with its file."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from cms.models.bilingual import BilingualPage, english_panel
from cms.models.pages import CONTENT_PARENTS


class PolicyStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    SUPERSEDED = "superseded", _("Superseded")


class PolicyIndexPage(BilingualPage):
    """The list of policy documents below it: those in force first, then the superseded."""

    content_panels = [*BilingualPage.content_panels, FieldPanel("summary"), english_panel("title_en", "summary_en")]
    search_text_fields = ("summary",)
    parent_page_types = CONTENT_PARENTS
    subpage_types = ["cms.PolicyDocumentPage"]
    template = "cms/policy_index_page.html"

    class Meta:
        verbose_name = _("policy document index")
        verbose_name_plural = _("policy document indexes")

    def documents(self, status: str = ""):
        documents = PolicyDocumentPage.objects.child_of(self).live().public().select_related("document")
        if status in PolicyStatus.values:
            documents = documents.filter(status=status)
        return documents.order_by("status", "-date_issued", "-pk")  # "current" sorts before "superseded"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        status = request.GET.get("status", "")
        status = status if status in PolicyStatus.values else ""
        context["status"] = status
        context["statuses"] = PolicyStatus.choices
        context["documents"] = self.documents(status)
        return context


class PolicyDocumentPage(BilingualPage):
    """One policy document: its number (文号), who issued it and when, when it takes
    effect, a summary, the file itself, and whether it is still in force."""

    document_number = models.CharField(
        _("document number"), max_length=100, blank=True, help_text=_("For example: 川民发〔2025〕12号")
    )
    issuing_body = models.CharField(_("issued by"), max_length=200)
    issuing_body_en = models.CharField(_("issued by (English)"), max_length=200, blank=True)
    date_issued = models.DateField(_("date issued"))
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PolicyStatus.choices, default=PolicyStatus.CURRENT)
    superseded_by = models.ForeignKey(
        "cms.PolicyDocumentPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,  # a published policy never loses its file by accident
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document file"),
    )

    content_panels = [
        *BilingualPage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("document_number"),
                FieldPanel("issuing_body"),
                FieldRowPanel([FieldPanel("date_issued"), FieldPanel("effective_date")]),
                FieldRowPanel([FieldPanel("status"), FieldPanel("superseded_by")]),
            ],
            heading=_("The document"),
        ),
        FieldPanel("summary"),
        FieldPanel("document"),
        english_panel("title_en", "issuing_body_en", "summary_en"),
    ]
    search_fields = [
        *BilingualPage.search_fields,
        index.SearchField("document_number"),
        index.SearchField("issuing_body"),
        index.SearchField("issuing_body_en"),
        index.FilterField("status"),
        index.FilterField("date_issued"),
    ]
    search_text_fields = ("document_number", "issuing_body", "summary")
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list[str] = []
    template = "cms/policy_document_page.html"

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_date__isnull=True) | models.Q(effective_date__gte=models.F("date_issued")),
                name="policy_effective_after_issued",
            ),
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.effective_date and self.date_issued and self.effective_date < self.date_issued:
            errors["effective_date"] = _("A document cannot take effect before it is issued.")
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            errors["superseded_by"] = _("A document cannot supersede itself.")
        if self.superseded_by_id and self.status != PolicyStatus.SUPERSEDED:
            errors["status"] = _("A document superseded by another is marked superseded.")
        if errors:
            raise ValidationError(errors)

    @property
    def display_issuing_body(self):
        return self.localized("issuing_body")

    @property
    def search_date(self):
        return self.date_issued
