"""A newcomer's /transparency/ after `make run`: real figures, charts and the agency table."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from transparency.models import AgencyTimeliness, BestRecord, FigureRow, Snapshot

pytestmark = pytest.mark.django_db


def test_the_demo_shows_real_figures(client):
    call_command("seed_demo")

    snapshot = Snapshot.objects.get()
    totals = {r.metric: r for r in FigureRow.objects.filter(snapshot=snapshot, dimension="total")}
    for metric in ("needs_published", "needs_met", "days_to_match"):
        assert not totals[metric].suppressed and totals[metric].value > 0, metric
    assert totals["money_paid"].value > 0
    # A year of work: more than one month with money paid.
    assert FigureRow.objects.filter(snapshot=snapshot, metric="money_paid", dimension="month", value__gt=0).count() > 3
    county = AgencyTimeliness.objects.get(name="大邑县民政局")
    assert county.payments_due >= 5 and county.pay_p90 is not None
    assert BestRecord.objects.filter(kind="organisation", name="大邑县仁爱慈善会").exists()

    html = client.get("/en/transparency/").content.decode()
    assert "fewer than 5" in html and 'data-testid="agency-timeliness"' in html
    commendations = client.get("/commendations/").content.decode()
    assert "大邑县仁爱慈善会" in commendations and "按期交付" in commendations
