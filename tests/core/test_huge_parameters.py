"""A huge search or filter value is a 400 or a form error, never a 500.

SQLite refuses a LIKE pattern past 50,000 bytes ("LIKE or GLOB pattern too complex"), so
a 60,000-character ``region`` or ``q`` failed on every list that searches by name. The
pages are found from the URL configuration and the live CMS pages, not from a hand list,
and the parameters each one reads are recorded as it answers.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from wagtail.models import Page

from tests.factories import PERSONAS

HUGE = "大邑县" * 20_000  # 60,000 characters, 180,000 bytes in UTF-8
ALWAYS_TRIED = {"q", "region", "page"}
# Third-party back offices with their own forms; the middleware bounds them all the same.
SKIPPED_PREFIXES = ("admin/", "cms/", "documents/", "payments/")


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if isinstance(pattern.pattern, RoutePattern) or str(pattern.pattern) == "":
                yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
            elif pattern.pattern.__class__.__name__ == "LocalePrefixPattern":
                yield from _routes(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern):
            route = prefix + str(pattern.pattern)
            # Only pages without required arguments: the lists and searches.
            if not pattern.pattern.converters and "<" not in route and not route.startswith(SKIPPED_PREFIXES):
                yield "/" + route


def pages() -> list[str]:
    """Every GET page without arguments, and every live CMS page."""
    found = set(_routes(get_resolver().url_patterns))
    found |= {page.url for page in Page.objects.live().specific() if page.url}
    return sorted(found)


@pytest.fixture
def reads(monkeypatch):
    """The query-string names a view asks for while it answers."""
    names: set[str] = set()

    def recording(method):
        def wrapper(self, key, *args, **kwargs):
            names.add(key)
            return method(self, key, *args, **kwargs)

        return wrapper

    for method in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, method, recording(getattr(QueryDict, method)))
    return names


def _client(request, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona), backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_list_or_search_fails_on_a_huge_value(request, db, reads, persona, vetted_org, unvetted_org):
    client = _client(request, persona)
    seen, failures = 0, []
    for path in pages():
        reads.clear()
        if client.get(path).status_code != 200:
            continue  # not a page this persona sees
        seen += 1
        for name in sorted(ALWAYS_TRIED | {n for n in reads if isinstance(n, str)}):
            response = client.get(path, {name: HUGE})
            if response.status_code != 400:
                failures.append((path, name, response.status_code))
    assert seen >= 5 if persona == "anonymous" else seen >= 8, seen
    assert not failures, sorted(failures, key=lambda f: -f[2])


def test_a_value_at_the_bound_is_still_answered(client_for, auditor, vetted_org):
    client = client_for(auditor, reauthenticated=False)
    value = ("大邑县 , a%_" * 1000)[: settings.MAX_QUERY_VALUE_CHARS]
    for path in ("/organisations/", "/directory/", "/vetting/", "/audit/", "/agencies/", "/needs/", "/contracts/"):
        for name in ("q", "region", "action", "actor"):
            assert client.get(path, {name: value}).status_code == 200, (path, name)


def test_the_refusal_says_why_in_the_language_of_the_page(client, db):
    response = client.get("/en/directory/", {"q": HUGE})
    assert response.status_code == 400
    assert b"too long" in response.content
    assert "过长" in client.get("/directory/", {"q": HUGE}).content.decode()


def test_the_need_form_says_the_region_is_too_long(client_for, caseworker):
    response = client_for(caseworker).post("/en/needs/new/", {"need-region": HUGE, "need-title": "x"})
    assert response.status_code == 200
    assert "at most 300 characters" in response.content.decode()


def test_the_organisation_form_bounds_its_regions(client_for, outsider):
    client = client_for(outsider)
    response = client.post("/en/organisations/register/", {"region": HUGE, "service_regions_text": HUGE})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "region" in errors and "service_regions_text" in errors
