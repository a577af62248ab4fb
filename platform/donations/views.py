"""The public pages of co-funded needs (anonymised), the payment page, the agency's
action that opens a need for co-funding, and the Stripe webhook."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from donations import gateway, selectors, services
from donations.exceptions import DonationError
from donations.forms import CampaignForm, DonationForm
from donations.models import Campaign, Donation, DonationState
from needs.models import Need

logger = logging.getLogger(__name__)


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(selectors.public_campaigns()[:100])
    rows = [(c, selectors.figures(c), selectors.county_of(c.need.region)) for c in campaigns]
    totals = selectors.totals()
    return render(
        request,
        "donations/list.html",
        {
            "rows": rows,
            "totals": totals,
            "received": selectors.format_minor(totals["received"], services.currency()),
            "refunded": selectors.format_minor(totals["refunded"], services.currency()),
            "allocated": selectors.format_minor(totals["allocated"], services.currency()),
            "enabled": gateway.enabled(),
        },
    )


def _public_campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("need__category", "need__region__parent", "organisation"), pk=pk
    )


@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The anonymised page: category, county, purpose, organisation, target, raised,
    used. Never anything about the person helped."""
    campaign = _public_campaign(pk)
    enabled = gateway.enabled()
    taking = services._taking_donations(campaign)
    form = DonationForm(request.POST or None) if enabled and taking else None
    status = 200
    if request.method == "POST":
        if form is None:
            status = 409 if enabled else 403
            error = _("This need no longer takes donations.") if enabled else _("Donations are not enabled here.")
            return render(
                request, "donations/campaign.html", _campaign_context(campaign, None, error=error), status=status
            )
        if form.is_valid():
            try:
                donation = services.donation_start(
                    campaign=campaign,
                    amount_minor=form.cleaned_data["amount"],
                    donor_name=form.cleaned_data["donor_name"],
                    email=form.cleaned_data["email"],
                    language=get_language() or settings.LANGUAGE_CODE,
                )
            except DonationError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                return redirect("donations:pay", donation.public_id)
        else:
            status = 400
    context = _campaign_context(campaign, form)
    context["may_refund"] = policy.can_open_cofunding(request.user, campaign.need)
    return render(request, "donations/campaign.html", context, status=status)


def _campaign_context(campaign: Campaign, form, *, error: str = "") -> dict:
    f = selectors.figures(campaign)
    return {
        "campaign": campaign,
        "county": selectors.county_of(campaign.need.region),
        "figures": f,
        "form": form,
        "enabled": gateway.enabled(),
        "taking": services._taking_donations(campaign),
        "error": error,
        "min_amount": selectors.format_minor(services.min_minor(), campaign.currency),
        "max_amount": selectors.format_minor(services.max_minor(), campaign.currency),
        "donors": campaign.donations.filter(entries__kind="received").order_by("-succeeded_at")[:20],
    }


def _donation(public_id) -> Donation:
    return get_object_or_404(
        Donation.objects.select_related("campaign__need", "campaign__organisation"), public_id=public_id
    )


def pay(request: HttpRequest, public_id) -> HttpResponse:
    donation = _donation(public_id)
    if donation.state != DonationState.PENDING:
        return redirect("donations:done", donation.public_id)
    try:
        secret = services.client_secret(donation)
    except stripe.StripeError:
        logger.exception("client secret of donation %s", donation.pk)
        secret = ""
    return render(
        request,
        "donations/pay.html",
        {
            "donation": donation,
            "campaign": donation.campaign,
            "amount": selectors.format_minor(donation.amount_minor, donation.currency),
            "client_secret": secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
        },
    )


@require_POST
def confirm(request: HttpRequest, public_id) -> JsonResponse:
    """Server-side confirmation with a payment method the page created (used when the
    Stripe.js in the page has no confirmPayment, as with localstripe's stand-in)."""
    donation = _donation(public_id)
    try:
        body = json.loads(request.body or b"{}")
        payment_method = str(body.get("payment_method", ""))
    except (ValueError, AttributeError):
        return JsonResponse({"error": _("Bad request.")}, status=400)
    try:
        status = services.donation_confirm(donation=donation, payment_method=payment_method)
    except DonationError as exc:
        return JsonResponse({"error": exc.message}, status=402)
    return JsonResponse({"status": status})


def done(request: HttpRequest, public_id) -> HttpResponse:
    donation = _donation(public_id)
    return render(
        request,
        "donations/done.html",
        {
            "donation": donation,
            "campaign": donation.campaign,
            "amount": selectors.format_minor(donation.amount_minor, donation.currency),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_open(request: AuthenticatedRequest, need_pk: int) -> HttpResponse:
    """An approver opens an awarded or claimed need for co-funding. Someone who cannot
    see the need's agency learns nothing (404); other staff of it are refused (403)."""
    need = get_object_or_404(Need.objects.select_related("agency", "claimed_by"), pk=need_pk)
    if not policy.can_view_agency(request.user, need.agency) or not policy.is_agency_staff(request.user):
        raise Http404
    if not policy.can_open_cofunding(request.user, need):
        raise PermissionDenied
    existing = Campaign.objects.filter(need=need).first()
    if existing:
        return redirect("donations:campaign", existing.pk)
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = services.campaign_open(
                    need=need,
                    by=request.user,
                    target_minor=selectors.to_minor(form.cleaned_data["target"]),
                    purpose=form.cleaned_data["purpose"],
                )
            except DonationError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                return redirect("donations:campaign", campaign.pk)
        else:
            status = 400
    return render(request, "donations/open.html", {"need": need, "form": form}, status=status)


def _managed_campaign(request: HttpRequest, pk: int) -> Campaign:
    """Staff of another agency, or the public, learn nothing (404); staff of the need's
    agency who are not its approvers are refused (403)."""
    campaign = _public_campaign(pk)
    need = campaign.need
    if not policy.is_agency_staff(request.user) or not policy.can_view_agency(request.user, need.agency):
        raise Http404
    if not policy.can_open_cofunding(request.user, need):
        raise PermissionDenied
    return campaign


@login_required
def campaign_manage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The agency's view of a campaign: every donation with its state and what is left
    of it, and a refund for each received one."""
    campaign = _managed_campaign(request, pk)
    rows = [
        (d, selectors.format_minor(d.amount_minor, d.currency), selectors.refundable_minor(d))
        for d in campaign.donations.filter(entries__kind="received").order_by("-succeeded_at", "-pk")
    ]
    return render(
        request,
        "donations/manage.html",
        {"campaign": campaign, "figures": selectors.figures(campaign), "rows": rows, "enabled": gateway.enabled()},
    )


@login_required
@require_POST
def donation_refund(request: AuthenticatedRequest, pk: int, public_id) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    donation = get_object_or_404(
        Donation.objects.select_related("campaign__need"), campaign=campaign, public_id=public_id
    )
    try:
        services.donation_refund(donation=donation, by=request.user)
    except DonationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The refund is on its way to the donor's card; the figures follow once Stripe confirms it.")
        )
    return redirect("donations:manage", campaign.pk)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store once, answer; the work runs in a task after the commit."""
    signature = request.headers.get("Stripe-Signature", "")
    if not settings.STRIPE_WEBHOOK_SECRET or not signature:
        return HttpResponseBadRequest("no signature")
    try:
        event, new = services.event_store(payload=request.body, signature=signature)
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("bad signature")
    if new and event is not None:
        from donations.tasks import process_event_task

        pk = event.pk
        transaction.on_commit(lambda: process_event_task.enqueue(event_id=pk))
    return JsonResponse({"received": True, "duplicate": not new})
