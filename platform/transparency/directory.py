"""The public directory: exactly the organisations that may act today."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from categories.models import Category
from contracts.track_record import completed_annotation, track_record, track_records
from organisations.models import OrganisationKind
from organisations.selectors import organisations_may_act
from regions.forms import RegionFilterForm

RATING_ORDER = ["3A", "4A", "5A"]  # "at least": this grade and the higher ones
SORT_LABELS = {
    "name": (_("Name"), ("legal_name",)),
    "track_record": (_("Most completed cases"), ("-completed", "legal_name")),
    "rating": (_("Highest rating"), ("-rating", "legal_name")),
}
SORTS = {key: order for key, (_label, order) in SORT_LABELS.items()}


def _directory():
    return organisations_may_act().select_related("region").prefetch_related("service_regions", "service_categories")


def directory_list(request: HttpRequest) -> HttpResponse:
    organisations = _directory()
    query = request.GET.get("q", "").strip()[:100]
    if query:
        # A substring match works for Chinese names without word splitting.
        organisations = organisations.filter(legal_name__icontains=query)
    category = request.GET.get("category", "")
    if category:
        organisations = organisations.filter(service_categories__code=category)
    kind = request.GET.get("kind", "")
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    region_form = RegionFilterForm(request.GET or None)
    if region_form.is_valid() and region_form.cleaned_data["region"]:
        organisations = organisations.in_region(region_form.cleaned_data["region"])
    rating = request.GET.get("rating", "")
    if rating in RATING_ORDER:
        organisations = organisations.filter(rating__in=RATING_ORDER[RATING_ORDER.index(rating) :])
    else:
        rating = ""
    # Track record (contracts.track_record): closed contracts, and needs completed
    # without a contract, counted in the database for the sort.
    organisations = organisations.annotate(completed=completed_annotation())
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    organisations = organisations.distinct().order_by(*SORTS[sort])
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    records = track_records(page.object_list)
    for organisation in page.object_list:
        organisation.track = records[organisation.pk]
    return render(
        request,
        "directory/list.html",
        {
            "page": page,
            "query": query,
            "category": category,
            "kind": kind,
            "categories": Category.objects.filter(is_active=True),
            "kinds": OrganisationKind.choices,
            "region_form": region_form,
            "rating": rating,
            "ratings": RATING_ORDER,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _order) in SORT_LABELS.items()],
        },
    )


def directory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(_directory(), pk=pk)
    record = track_record(organisation, with_categories=True)
    return render(request, "directory/detail.html", {"organisation": organisation, "track": record})
