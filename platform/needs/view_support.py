"""What the needs pages share."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from needs.models import Need
from needs.selectors import need_is_agency_side, needs_visible_to


def agency_need(request: HttpRequest, pk: int) -> Need:
    """The need, for agency staff who may see it; a 404 for anyone else (an organisation
    member who sees the card learns nothing of the agency's pages)."""
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    if not need_is_agency_side(request.user, need):
        raise Http404
    return need
