"""The public figures: what each one is, its unit, and the rule that hides small counts.

Definitions (also in docs/architecture.md, "Transparency figures"):

- **needs published**: needs that reached publication (``Need.published_at`` set:
  published for a direct claim or opened for proposals), whatever happened after; dated by
  ``published_at``.
- **needs met**: needs in state *fulfilled* (their contract closed: delivered, accepted,
  evaluated and paid); dated by their ``fulfil`` event.
- **average days to match**: for needs taken on, the mean of ``claimed_at`` −
  ``published_at`` in days (``claimed_at`` is set by a direct claim and by an award after
  proposals: the moment one organisation is bound to the need); dated by ``claimed_at``.
- **money contracted**: the price in force of every signed contract (``signed_at`` set);
  a terminated contract counts only for what was accepted under it. Dated by ``signed_at``.
- **money paid**: authorised payments (``Payment`` state *authorised*), dated by the
  treasury date ``paid_on``.
- **money donated**: the donation journal's receipts less its refunds, in the donation
  currency; each entry dated when it was posted (a refund lowers the month it happened in).

Region, category: the need's (for a contract, payment or donation, the need it is for).
Counts of needs (and the averages over needs) below ``SMALL_COUNT`` are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# A count of people or needs below this is shown as "fewer than 5" everywhere.
SMALL_COUNT = 5
# Commendation: an organisation with at least this many completed contracts, an agency
# with at least this many payments fallen due, has a record that means something.
MIN_RECORD = 5
BEST_RECORDS = 10


class Metric(models.TextChoices):
    NEEDS_PUBLISHED = "needs_published", _("Needs published")
    NEEDS_MET = "needs_met", _("Needs met")
    DAYS_TO_MATCH = "days_to_match", _("Average days to match")
    MONEY_CONTRACTED = "money_contracted", _("Money contracted")
    MONEY_PAID = "money_paid", _("Money paid")
    MONEY_DONATED = "money_donated", _("Money donated")


class Dimension(models.TextChoices):
    TOTAL = "total", _("Total")
    MONTH = "month", _("Over time")
    REGION = "region", _("By region")
    CATEGORY = "category", _("By category")


class Unit(models.TextChoices):
    COUNT = "count", _("needs")
    DAYS = "days", _("days")
    CNY = "cny", _("CNY")


@dataclass(frozen=True)
class MetricInfo:
    unit: str
    # Counts of needs, and averages over needs, are hidden below SMALL_COUNT; sums of money are not.
    small_count_rule: bool
    description: object


METRICS: dict[str, MetricInfo] = {
    Metric.NEEDS_PUBLISHED: MetricInfo(
        Unit.COUNT, True, _("Needs published for organisations to take on (dated when published).")
    ),
    Metric.NEEDS_MET: MetricInfo(
        Unit.COUNT, True, _("Needs whose contract was delivered, accepted, evaluated and paid (dated when met).")
    ),
    Metric.DAYS_TO_MATCH: MetricInfo(
        Unit.DAYS,
        True,
        _("From publication to the moment an organisation took the need on, by claim or award (dated when matched)."),
    ),
    Metric.MONEY_CONTRACTED: MetricInfo(
        Unit.CNY, False, _("The price of signed contracts; a terminated contract counts for what was accepted.")
    ),
    Metric.MONEY_PAID: MetricInfo(Unit.CNY, False, _("Authorised government payments, dated by the treasury.")),
    Metric.MONEY_DONATED: MetricInfo(Unit.CNY, False, _("Donations from the public received, less refunds.")),
}
