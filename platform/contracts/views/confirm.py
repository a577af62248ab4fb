"""The beneficiary's page (no login): the person served confirms or disputes a service
milestone with the link and code their social worker gave them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.models import ConfirmationOutcome
from contracts.work_forms import ConfirmAnswerForm
from core import ratelimit

CONFIRM_LIMIT = ratelimit.Limit("confirm", 20, 10 * 60)  # answers per client address per ten minutes


def _private(response: HttpResponse) -> HttpResponse:
    # The token never leaves the site in a Referer ("same-origin"). Not "no-referrer":
    # browsers then send the answer's POST with "Origin: null", which Django's CSRF
    # check refuses (403), so nobody could answer.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # The path holds the token: keep it out of Django's request log.
    response._has_been_logged = True
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    """One page for a link that is unknown, expired, used or locked: it tells nothing."""
    return _private(render(request, "contracts/confirm/gone.html", status=410))


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and not ratelimit.spend(CONFIRM_LIMIT, request):
        return _private(render(request, "contracts/confirm/slow_down.html", status=429))
    confirmation = selectors.confirmation_for(token)
    if confirmation is None:
        return _gone(request)
    form = ConfirmAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.confirmation_answer(
                token=token, code=data["code"], outcome=data["outcome"], rating=data["rating"], note=data["note"]
            )
        except ContractError as exc:
            if selectors.confirmation_for(token) is None:
                return _gone(request)
            form.add_error("code", str(exc))
        else:
            return _private(
                render(
                    request,
                    "contracts/confirm/thanks.html",
                    {"disputed": data["outcome"] == ConfirmationOutcome.DISPUTED},
                )
            )
    terms = selectors.terms_of(confirmation.milestone)
    return _private(
        render(
            request,
            "contracts/confirm/page.html",
            {
                "organisation": confirmation.milestone.contract.organisation.legal_name,
                "description": terms.description if terms else "",
                "form": form,
            },
            status=400 if form.errors else 200,
        )
    )
