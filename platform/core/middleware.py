from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


class RequestSizeLimitMiddleware:
    """Refuse an oversized body from its Content-Length, before anything reads it; drop
    NUL characters from the query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(_("Bad request."), status=400, content_type="text/plain; charset=utf-8")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return HttpResponse(
                _("The request is too large (at most %(mb)d MB).") % {"mb": settings.MAX_REQUEST_BODY_BYTES // 2**20},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        if "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = _without_nul(request.GET)
        return self.get_response(request)


class QueryLengthMiddleware:
    """Refuse a query string with an over-long name or value (400): no filter or search
    needs more than MAX_QUERY_VALUE_CHARS, and SQLite refuses a LIKE pattern past 50,000
    bytes ("LIKE or GLOB pattern too complex"), so a huge region or q would be a 500.
    After the locale middleware, so the refusal is in the page's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bound = settings.MAX_QUERY_VALUE_CHARS
        # The raw string is an upper bound of every decoded value: most requests stop here.
        if len(request.META.get("QUERY_STRING", "")) > bound and any(
            len(key) > bound or any(len(value) > bound for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponse(
                _("A search or filter value is too long (at most %(count)d characters).") % {"count": bound},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _without_nul(params: QueryDict) -> _ImmutableQueryDict:
    """The query string without NUL characters: no value may hold one (PostgreSQL refuses
    them in text, so a filter would fail instead of matching nothing)."""
    from django.http import QueryDict

    clean = QueryDict(mutable=True)
    for key, values in params.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    clean._mutable = False
    return cast("_ImmutableQueryDict", clean)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind a trusted proxy, the last hop it appended."""
    if settings.TRUST_PROXY_HEADERS:
        forwarded: list[str] = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if forwarded:
            return forwarded[-1]
    return cast(str | None, request.META.get("REMOTE_ADDR") or None)
