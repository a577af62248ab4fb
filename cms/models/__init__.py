"""Wagtail page types of the public site, one module per family of pages."""

from cms.models.home import HomePage
from cms.models.transparency import Commendation, CommendationsPage, TransparencyPage

__all__ = ["Commendation", "CommendationsPage", "HomePage", "TransparencyPage"]
