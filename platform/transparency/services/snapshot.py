"""The snapshot: every figure computed, then swapped in for the previous one in one transaction."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from donations.models import DonationEntry, EntryKind
from transparency.models import AgencyTimeliness, BestRecord, FigureRow, Snapshot
from transparency.services.agencies import _agency_rows
from transparency.services.best_records import _best_records
from transparency.services.figure_rows import _figure_rows
from transparency.services.gathering import _gather


def snapshot_compute(*, on: date | None = None) -> Snapshot:
    """Compute every public figure up to the end of ``on`` (today by default) and make it
    the current snapshot, replacing the previous one in one transaction: readers see the
    old snapshot or the new, never a mix or nothing. States (fulfilled, terminated,
    authorised) are as they are now; dates are cut at ``on``. Reads outside the
    transaction, so the write lock is held only for the inserts."""
    started = time.monotonic()
    on = on or timezone.localdate()
    until = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    figure_rows = _figure_rows(_gather(until=until, on=on), on=on)
    agency_rows = _agency_rows(on=on, until=until)
    best = _best_records(agency_rows)
    with transaction.atomic():
        Snapshot.objects.all().delete()
        snapshot = Snapshot.objects.create(generated_at=timezone.now(), as_of=on)
        every: list[FigureRow | AgencyTimeliness | BestRecord] = [*figure_rows, *agency_rows, *best]
        for row in every:
            row.snapshot = snapshot
        FigureRow.objects.bulk_create(figure_rows, batch_size=1000)
        AgencyTimeliness.objects.bulk_create(agency_rows, batch_size=1000)
        BestRecord.objects.bulk_create(best)
        snapshot.rows = len(figure_rows) + len(agency_rows) + len(best)
        snapshot.duration_ms = int((time.monotonic() - started) * 1000)
        snapshot.save(update_fields=["rows", "duration_ms"])
    return snapshot


def snapshot_refresh_if_stale() -> bool:
    """Recompute the snapshot when the donation journal has moved since it was taken, so
    "money donated" follows a donation within moments rather than the next day. A burst
    of donations recomputes once or twice, not once each: the first run makes the rest
    find nothing newer. Returns whether it recomputed."""

    current = Snapshot.objects.order_by("-generated_at").first()
    moved = DonationEntry.objects.filter(kind__in=[EntryKind.RECEIVED, EntryKind.REFUNDED])
    if current is not None:
        moved = moved.filter(at__gt=current.generated_at)
    if current is None or not moved.exists():
        return False
    snapshot_compute()
    return True
