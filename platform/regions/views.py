from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from regions.models import Region, RegionLevel


def region_suggest(request: HttpRequest) -> HttpResponse:
    """Datalist options for the region input (HTMX); public reference data."""
    # The input sends its own value under its field name.
    text = cast(str, request.GET.get("q") or next((v for k, v in request.GET.items() if k != "levels"), ""))
    text = text.strip()[:50]
    if text.endswith(")") and "(" in text:
        text = text[: text.rindex("(")].strip()
    levels = [lv for lv in request.GET.get("levels", "").split(",") if lv in RegionLevel.values]
    qs = Region.objects.search(text)
    if levels:
        qs = qs.filter(level__in=levels)
    return render(request, "regions/partials/_options.html", {"regions": qs[:20]})


def region_browse(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Browse and search the divisions; the no-JavaScript way to find a code."""
    region = get_object_or_404(Region, code=code) if code else None
    text = request.GET.get("q", "").strip()[:50]
    if text:
        children = Region.objects.search(text)
    elif region:
        children = region.children.all()
    else:
        children = Region.objects.filter(level=RegionLevel.PROVINCE)
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "regions/browse.html",
        {"region": region, "ancestors": region.ancestors() if region else [], "page": page, "query": text},
    )
