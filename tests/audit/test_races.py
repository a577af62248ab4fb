"""Concurrent writers on PostgreSQL: the chain stays one chain, an invitation grants once."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.services import audit_chain_verify, record
from tests.helpers import run_in_threads

pytestmark = pytest.mark.postgres  # row locks


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_form_one_unbroken_chain():
    from audit.models import AuditEntry

    assert connection.vendor == "postgresql"
    before = AuditEntry.objects.count()
    errors = run_in_threads(8, lambda i: [record(action=f"race.{i}.{n}", summary={"n": n}) for n in range(5)])
    assert not errors
    assert AuditEntry.objects.count() == before + 40
    assert audit_chain_verify() is None


@pytest.mark.django_db(transaction=True)
def test_an_invitation_link_clicked_twice_at_once_grants_one_membership():
    from accounts import services
    from accounts.exceptions import InvitationUsed
    from accounts.models import Membership, Role
    from tests.factories import AgencyFactory, UserFactory, region
    from website.demo import ensure_reference_data

    ensure_reference_data()
    admin = UserFactory()
    agency = AgencyFactory(region=region("510129"))
    Membership.objects.create(user=admin, role=Role.AGENCY_ADMIN, agency=agency)
    _invitation, token = services.invitation_create(
        by=admin, email="twice@example.test", role=Role.AGENCY_CASEWORKER, agency=agency, site_url=""
    )
    invitee = UserFactory(email="twice@example.test")
    errors = run_in_threads(4, lambda i: services.invitation_accept(token=token, user=invitee))
    assert Membership.objects.filter(user=invitee).count() == 1
    assert len(errors) == 3 and all(isinstance(e, InvitationUsed) for e in errors)
