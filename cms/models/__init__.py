"""The public site's pages, one module per family, and the site search's index."""

from cms.models.home import HomePage
from cms.models.news import NewsIndexPage, NewsPage
from cms.models.pages import GuidancePage, StandardPage
from cms.models.policy import PolicyDocumentPage, PolicyIndexPage, PolicyStatus
from cms.models.search import SiteSearchEntry
from cms.models.transparency import Commendation, CommendationsPage, TransparencyPage

__all__ = [
    "Commendation",
    "CommendationsPage",
    "GuidancePage",
    "HomePage",
    "NewsIndexPage",
    "NewsPage",
    "PolicyDocumentPage",
    "PolicyIndexPage",
    "PolicyStatus",
    "SiteSearchEntry",
    "StandardPage",
    "TransparencyPage",
]
