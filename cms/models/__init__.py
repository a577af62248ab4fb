"""Wagtail page types of the public site, one module per family of pages."""

from cms.models.home import HomePage

__all__ = ["HomePage"]
