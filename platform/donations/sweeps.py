import logging
from datetime import timedelta

from core.sweeps import sweep

logger = logging.getLogger(__name__)


@sweep("donations_ledger", every=timedelta(minutes=15))
def donations_ledger() -> int:
    """Allocate received donations to contracts in force (payments authorised since
    raise "used" on their own), retry refunds Stripe has not confirmed, and process
    stored webhook events whose task did not finish."""
    from django.utils import timezone

    from donations.models import Campaign, CampaignState, Refund, StripeEvent
    from donations.services import campaign_allocate, event_process, refund_issue

    count = 0
    for campaign in Campaign.objects.filter(state=CampaignState.OPEN):
        count += 1 if campaign_allocate(campaign) else 0
    stale = timezone.now() - timedelta(minutes=5)
    retries = [
        *(
            (refund_issue, pk)
            for pk in Refund.objects.filter(stripe_id__isnull=True, created_at__lt=stale).values_list("pk", flat=True)
        ),
        *(
            (event_process, pk)
            for pk in StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=stale).values_list(
                "pk", flat=True
            )
        ),
    ]
    for run, pk in retries:
        try:
            run(pk)
            count += 1
        except Exception:  # Stripe down: the next run tries again
            logger.exception("donations: %s(%s) failed", run.__name__, pk)
    return count
