"""The end of a contract: the agency's evaluation and the organisation's final report."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.models.contract import Contract
from contracts.models.terms import PerformanceIndicator
from contracts.models.work import UploadedFile


class Evaluation(models.Model):
    """The agency's performance evaluation (绩效评价) at completion."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="evaluation")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("overall assessment"), max_length=3000)
    score = models.DecimalField(_("average score"), max_digits=3, decimal_places=2)
    beneficiary_rating = models.DecimalField(
        _("beneficiaries' average rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    beneficiary_ratings = models.PositiveSmallIntegerField(_("beneficiary ratings"), default=0)
    on_time = models.BooleanField(_("delivered on time"))
    evaluated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="evaluation_score_range"),
        ]

    def __str__(self) -> str:
        return f"evaluation of contract #{self.contract_id}"


class IndicatorScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(PerformanceIndicator, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        ordering = ["indicator__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="indicator_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.score}"


class FinalReport(UploadedFile):
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="final_report")

    class Meta:
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")
