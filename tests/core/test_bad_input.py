"""No input produces a 500: odd query strings and ids get a clear page or a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

# "a" * 2000: the longest value a query string may carry (longer is a 400, as
# tests/core/test_huge_parameters.py checks).
ODD = ["", "%00", "'; DROP TABLE x;--", "<script>alert(1)</script>", "９９", "a" * 2000, "-1", "1e9999"]


@pytest.mark.parametrize("value", ODD)
def test_list_filters_never_fail(client_for, auditor, value):
    client = client_for(auditor, reauthenticated=False)
    for name in ("agencies:list", "organisations:list", "audit:list", "notifications:list"):
        for param in ("q", "page", "state", "since", "until", "outcome", "action"):
            response = client.get(reverse(name), {param: value})
            assert response.status_code == 200, (name, param, value)
            assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize("value", ODD)
def test_public_region_pages_never_fail(client, db, value):
    assert client.get("/regions/", {"q": value, "page": value}).status_code == 200
    assert client.get("/regions/suggest/", {"q": value, "levels": value}).status_code == 200


def test_unknown_ids_are_404(client_for, superuser):
    client = client_for(superuser, reauthenticated=False)
    for path in ("/agencies/99999999999999999999/", "/organisations/0/", "/regions/abc/", "/invitations/%00/"):
        assert client.get(path).status_code in (404, 410), path


def test_an_unknown_invite_scope_is_404(client_for, agency_admin, county_agency):
    response = client_for(agency_admin).post(f"/invite/galaxy/{county_agency.pk}/", {"email": "a@b.test"})
    assert response.status_code == 404
