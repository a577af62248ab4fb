"""The public site search's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cms.search import MAX_QUERY_LENGTH, page_number, site_search


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    results = site_search(text=raw, page=page_number(request.GET.get("page")), request=request)
    q = results.query.text if results.query else raw.strip()[:MAX_QUERY_LENGTH]
    return render(
        request,
        "cms/search.html",
        {
            "q": q,
            "site_search_q": q,  # the header's search box shows it (cms/partials/_search_box.html)
            "asked": bool(raw.strip()),
            "search": results,
            "max_length": MAX_QUERY_LENGTH,
        },
    )
