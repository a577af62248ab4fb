"""Every view, every role: the wrong role or another organisation's object gets 403/404
and learns nothing. The table is the specification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.services import notify
from tests.factories import PERSONAS

# path key -> {persona: expected status}; personas not named get the "default".
EXPECTED = {
    "dashboard": {"anonymous": 302, "default": 200},
    "profile": {"anonymous": 302, "default": 200},
    "notifications": {"anonymous": 302, "default": 200},
    "agency_list": {
        "anonymous": 302,
        "caseworker": 200,
        "approver": 200,
        "agency_admin": 200,
        "other_caseworker": 200,
        "auditor": 200,
        "superuser": 200,
        "default": 403,
    },
    "county_agency": {
        "anonymous": 302,
        "caseworker": 200,
        "approver": 200,
        "agency_admin": 200,
        "auditor": 200,
        "superuser": 200,
        "default": 404,
    },
    "township_agency": {
        "anonymous": 302,
        "caseworker": 200,
        "approver": 200,
        "agency_admin": 200,
        "auditor": 200,
        "superuser": 200,
        "default": 404,
    },
    "organisation_list": {
        "anonymous": 302,
        "charity_admin": 403,
        "charity_member": 403,
        "unvetted_member": 403,
        "outsider": 403,
        "default": 200,
    },
    "vetted_org": {"anonymous": 302, "unvetted_member": 404, "outsider": 404, "default": 200},
    "unvetted_org": {
        "anonymous": 302,
        "unvetted_member": 200,
        "vetting_officer": 200,
        "auditor": 200,
        "superuser": 200,
        "default": 404,
    },
    "audit": {"anonymous": 302, "auditor": 200, "superuser": 200, "default": 403},
}


def paths(world) -> dict[str, str]:
    return {
        "dashboard": reverse("core:dashboard"),
        "profile": reverse("accounts:profile"),
        "notifications": reverse("notifications:list"),
        "agency_list": reverse("agencies:list"),
        "county_agency": reverse("agencies:detail", args=[world.county_agency.pk]),
        "township_agency": reverse("agencies:detail", args=[world.township_agency.pk]),
        "organisation_list": reverse("organisations:list"),
        "vetted_org": reverse("organisations:detail", args=[world.vetted_org.pk]),
        "unvetted_org": reverse("organisations:detail", args=[world.unvetted_org.pk]),
        "audit": reverse("audit:list"),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_view_for_every_role(client, world, persona):
    if user := world.persona(persona):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    failures = []
    for key, path in paths(world).items():
        expected = EXPECTED[key].get(persona, EXPECTED[key]["default"])
        status = client.get(path).status_code
        if status != expected:
            failures.append(f"{persona} GET {key} ({path}): {status}, expected {expected}")
    assert not failures, "\n".join(failures)


def test_a_missing_and_a_forbidden_object_look_the_same(client_for, other_caseworker, county_agency):
    client = client_for(other_caseworker)
    forbidden = client.get(reverse("agencies:detail", args=[county_agency.pk]))
    missing = client.get(reverse("agencies:detail", args=[999999]))
    assert forbidden.status_code == missing.status_code == 404
    assert county_agency.name.encode() not in forbidden.content


def test_someone_elses_notification_is_a_404(client_for, caseworker, approver):
    notification = notify(user=approver, event="welcome")
    response = client_for(caseworker).post(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_members_of_an_agency_are_hidden_from_other_agencies(client_for, caseworker, other_caseworker, other_agency):
    response = client_for(caseworker).get(reverse("agencies:list"))
    assert other_agency.name.encode() not in response.content


def test_only_administrators_see_the_invite_form(client_for, caseworker, agency_admin, county_agency):
    path = reverse("agencies:detail", args=[county_agency.pk])
    assert b'name="email"' not in client_for(caseworker).get(path).content
    assert b'name="email"' in client_for(agency_admin).get(path).content
