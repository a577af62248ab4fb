"""The demo's contracts: one at each stage, made through the services by the demo's
staff, every journal balanced, and seeding again changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from agencies.models import Agency
from contracts import ledger
from contracts.agency_record import agency_record
from contracts.models import Contract, ContractState, Milestone, MilestoneState, Payment, PaymentState
from contracts.track_record import track_record
from needs.models import NeedState
from organisations.models import Organisation
from website.demo import CONTRACTS, USERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo")
    return {c.need.title: c for c in Contract.objects.select_related("need")}


def test_a_contract_at_each_stage(demo):
    from website.demo_transparency import HISTORY  # the year of finished work behind the transparency figures

    assert set(demo) == {spec.title for spec in CONTRACTS} | {past.title for past in HISTORY}
    stages = {spec.stage: demo[spec.title] for spec in CONTRACTS}
    assert stages["draft"].state == ContractState.DRAFT
    active = stages["in_progress"]
    assert active.state == ContractState.ACTIVE and active.signed_at
    paid = active.milestones.get(state=MilestoneState.ACCEPTED)
    assert paid.paid_amount == paid.accepted_amount > 0
    assert Payment.objects.filter(milestone=paid, state=PaymentState.AUTHORISED).count() == 1
    done = stages["closed"]
    assert done.state == ContractState.CLOSED and done.need.state == NeedState.FULFILLED
    assert done.evaluation.on_time and hasattr(done, "final_report")
    late = stages["payment_overdue"]
    assert late.state == ContractState.COMPLETED  # its one milestone accepted, not paid


def test_every_demo_journal_balances(demo):
    for contract in demo.values():
        assert ledger.check(contract) == [], contract.number


def test_every_accepted_demo_service_milestone_was_confirmed_by_the_beneficiary(demo):
    """Issue 20, item 2: GM2026-003-0002's first milestone was accepted and paid while its
    page said 尚未请服务对象确认."""
    from contracts.selectors import beneficiary_confirmed, terms_of

    accepted = Milestone.objects.filter(state=MilestoneState.ACCEPTED)
    service = [m for m in accepted if terms_of(m).service]
    assert service
    assert [m.contract.number for m in service if not beneficiary_confirmed(m)] == []


def test_the_steps_are_taken_by_different_people(demo):
    emails = {spec.email for spec in USERS}
    assert {"approver2@safetynet.test", "finance@safetynet.test", "finance2@safetynet.test"} <= emails
    for email, role in (
        ("approver2@safetynet.test", Role.AGENCY_APPROVER),
        ("finance2@safetynet.test", Role.AGENCY_FINANCE),
    ):
        assert User.objects.get(email=email).memberships.filter(role=role, agency__name="大邑县民政局").exists()
    for payment in Payment.objects.filter(state=PaymentState.AUTHORISED):
        assert payment.recorded_by.email == "finance@safetynet.test"
        assert payment.authorised_by.email == "finance2@safetynet.test"
    for milestone in Milestone.objects.filter(state=MilestoneState.ACCEPTED):
        assert milestone.accepted_by.email == "approver2@safetynet.test"


def test_seeding_again_changes_nothing(demo):
    counts = (Contract.objects.count(), Milestone.objects.count(), Payment.objects.count())
    call_command("seed_demo")
    assert (Contract.objects.count(), Milestone.objects.count(), Payment.objects.count()) == counts


def test_the_demo_shows_on_the_records(demo):
    county = Agency.objects.get(name="大邑县民政局")
    late = next(demo[s.title] for s in CONTRACTS if s.stage == "payment_overdue")
    record = agency_record(county)
    assert [(o.contract.pk, o.days_overdue) for o in record.overdue_payments] == [(late.pk, 10)]
    charity = Organisation.objects.get(legal_name="大邑县仁爱慈善会")
    # The closed demo contract, and the year of finished work behind the transparency figures.
    from website.demo_transparency import HISTORY

    assert track_record(charity).contracts == 1 + len(HISTORY)
