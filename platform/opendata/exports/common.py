"""What every open-data file shares: the chunk size, the currency, the site and the date formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from regions.models import RegionLevel

CHUNK = 2000
CURRENCY = "CNY"


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def _county(region):

    while region is not None and region.level == RegionLevel.TOWNSHIP:
        region = region.parent
    return region


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _day(value: date | None, *, end: bool = False) -> str | None:
    """A date as the date-time OCDS asks for: its first (or last) second, local time."""
    if value is None:
        return None
    moment = datetime.combine(value, time(23, 59, 59) if end else time(0, 0), tzinfo=timezone.get_default_timezone())
    return moment.isoformat()


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
