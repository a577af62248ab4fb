"""The contracts list: the parties' own contracts (drafts included) and the public
register of every signed contract, filtered, searched, sorted and paged by the query
string alone."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Agency
from categories.models import Category
from contracts import selectors
from contracts.register_query import AMOUNT_BANDS, REGISTER_SORTS, REGISTER_STATES, RegisterQuery
from organisations.models import Organisation

REGISTER_PAGE_SIZE = 25


def contract_list(request: HttpRequest) -> HttpResponse:
    """The parties' own contracts (drafts included), and the public register of every
    signed contract: filtered, searched, sorted and paged by the query string alone."""
    mine = selectors.contracts_of_parties(request.user) if request.user.is_authenticated else None
    query = RegisterQuery.from_query(request.GET)
    # Pages of ids first (the sort's index answers them, however deep the page), then the
    # page's 25 contracts with what the table shows.
    paginator = Paginator(selectors.register_search(query).values_list("pk", flat=True), REGISTER_PAGE_SIZE)
    number = request.GET.get("page", "1")
    number = max(int(number), 1) if number.isdigit() and len(number) < 9 else 1
    past_end = False
    try:
        page = paginator.page(number)
    except EmptyPage:
        # Past the end is an empty page that says so, not the last page or an error.
        page, past_end = None, number > 1
    ids = list(page.object_list) if page else []
    found = selectors.register().in_bulk(ids)
    rows = [found[pk] for pk in ids if pk in found]
    for contract in rows:
        contract.county = selectors.county_name(contract.need.region)
    organisation = (
        Organisation.objects.filter(pk=query.organisation).only("legal_name").first() if query.organisation else None
    )
    return render(
        request,
        "contracts/list.html",
        {
            "mine": selectors.with_proposed_price(mine).order_by("-created_at")[:50] if mine is not None else None,
            "page": page,
            "rows": rows,
            "count": paginator.count,
            "past_end": past_end,
            "query": query,
            "organisation_filter": organisation,
            "agencies": Agency.objects.filter(is_active=True).order_by("path"),
            "categories": Category.objects.filter(is_active=True),
            "statuses": [(s.value, s.label) for s in REGISTER_STATES],
            "years": selectors.register_years(),
            "bands": [(key, label) for key, (label, *_bounds) in AMOUNT_BANDS.items()],
            "sorts": [(key, label) for key, (label, _order) in REGISTER_SORTS.items()],
        },
    )
