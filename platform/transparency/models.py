"""Snapshots of the public figures. A page reads these tables and never the needs,
contracts or payments themselves; ``services.snapshot_compute`` replaces the whole
snapshot at once (the old one is deleted in the same transaction the new one is written).

Raw values are kept as computed, with ``suppressed`` decided once at computation (the
small-count rule and its complement, see ``services``): every reader (the page, the
downloads) shows a suppressed value as "fewer than 5" and never its number.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from transparency.figures import Dimension, Metric


class Snapshot(models.Model):
    generated_at = models.DateTimeField(_("generated"), db_index=True)
    as_of = models.DateField(_("figures up to"))
    duration_ms = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-generated_at", "-pk"]
        get_latest_by = "generated_at"
        verbose_name = _("transparency snapshot")
        verbose_name_plural = _("transparency snapshots")

    def __str__(self) -> str:
        return f"snapshot {self.generated_at:%Y-%m-%d %H:%M}"


class FigureRow(models.Model):
    """One figure in one breakdown: a metric for the total, a month, a region or a category."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="figures")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    # "" for the total; "2026-05" for a month; the GB/T 2260 code; the category code.
    key = models.CharField(max_length=40, blank=True)
    level = models.CharField(max_length=10, blank=True)  # region level: province, city, county
    parent = models.CharField(max_length=12, blank=True)  # the region above (its code)
    label_zh = models.CharField(max_length=200, blank=True)
    label_en = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=2)
    observations = models.PositiveIntegerField(default=0)  # needs, contracts or payments behind the value
    suppressed = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["snapshot", "metric", "dimension", "position"]
        indexes = [models.Index(fields=["snapshot", "metric", "dimension", "level"], name="transparency_figure_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "metric", "dimension", "key"], name="one_figure_per_key"),
            models.CheckConstraint(condition=models.Q(metric__in=Metric.values), name="figure_metric_valid"),
            models.CheckConstraint(condition=models.Q(dimension__in=Dimension.values), name="figure_dimension_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}/{self.dimension}/{self.key}"


class AgencyTimeliness(models.Model):
    """One agency's speed as a buyer (its own contracts): days to accept delivered work and
    days to pay accepted work, median and 90th percentile, and payments made on time."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey("agencies.Agency", null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200)
    region_name = models.CharField(max_length=200, blank=True)
    accepted = models.PositiveIntegerField(default=0)  # milestones accepted after a submission
    accept_median = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    accept_p90 = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    paid = models.PositiveIntegerField(default=0)  # milestones paid in full
    pay_median = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    pay_p90 = models.DecimalField(max_digits=7, decimal_places=1, null=True)
    payments_due = models.PositiveIntegerField(default=0)
    payments_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["snapshot", "-payments_due", "name"]
        verbose_name = _("agency timeliness")
        verbose_name_plural = _("agency timeliness")

    def __str__(self) -> str:
        return self.name


class RecordKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    AGENCY = "agency", _("Agency")


class BestRecord(models.Model):
    """One of the best computed track records, for the commendations page."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="best_records")
    kind = models.CharField(max_length=12, choices=RecordKind.choices)
    rank = models.PositiveSmallIntegerField()
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200)
    # Organisation: completed contracts; agency: payments fallen due.
    basis = models.PositiveIntegerField()
    on_time_percent = models.PositiveSmallIntegerField(null=True)
    average_score = models.DecimalField(max_digits=3, decimal_places=2, null=True)
    median_days_to_pay = models.DecimalField(max_digits=7, decimal_places=1, null=True)

    class Meta:
        ordering = ["snapshot", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "kind", "rank"], name="one_best_record_per_rank"),
            models.CheckConstraint(condition=models.Q(kind__in=RecordKind.values), name="best_record_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.rank}: {self.name}"
