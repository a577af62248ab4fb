"""Matching's panels on the pages of apps below it: the need's page lists the organisations
that fit it without ``needs`` importing ``matching`` (the layers run one way)."""

from __future__ import annotations

from django import template

from matching.fit import suggested_organisations as _suggested

register = template.Library()


@register.simple_tag
def suggested_organisations(need) -> list:
    """``(organisation, fit)`` pairs, best fit first, for the need's invitation panel (the
    page shows the panel only to those who may invite)."""
    return _suggested(need)
