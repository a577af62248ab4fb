"""Django's admin for superusers: each model list opens; the audit log cannot be changed there."""

from __future__ import annotations

import pytest

from audit.services import record


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/invitation/",
        "/admin/agencies/agency/",
        "/admin/agencies/agency/add/",
        "/admin/organisations/organisation/",
        "/admin/regions/region/?q=大邑",
        "/admin/audit/auditentry/",
    ],
)
def test_superuser_admin_pages_open(client_for, superuser, path):
    assert client_for(superuser, reauthenticated=False).get(path).status_code == 200


def test_the_audit_log_is_read_only_in_the_admin(client_for, superuser):
    entry = record(action="test.entry")
    client = client_for(superuser, reauthenticated=False)
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "forged"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "test.entry"


def test_staff_without_superuser_cannot_use_the_admin(client_for, caseworker):
    response = client_for(caseworker, reauthenticated=False).get("/admin/")
    assert response.status_code in (302, 403)
