"""The webhook's work and the refunds run as tasks (in-process by default)."""

from __future__ import annotations

from django.tasks import task


@task()
def process_event_task(*, event_id: int) -> None:
    from donations.services import event_process

    event_process(event_id)


@task()
def refund_issue_task(*, refund_id: int) -> None:
    from donations.services import refund_issue

    refund_issue(refund_id)


@task()
def campaign_close_task(*, need_id: int, reason: str) -> None:
    from donations.models import Campaign
    from donations.services import campaign_close

    campaign = Campaign.objects.filter(need_id=need_id).first()
    if campaign is not None:
        campaign_close(campaign=campaign, reason=reason)


@task()
def campaign_allocate_task(*, need_id: int) -> None:
    from donations.models import Campaign
    from donations.services import campaign_allocate

    campaign = Campaign.objects.filter(need_id=need_id).first()
    if campaign is not None:
        campaign_allocate(campaign)
