"""The identity guard on every text that anyone outside the recording agency can read
(issue 17): the whole corpus is written into each field through the service that writes
it. Every evasion is refused and changes nothing; every innocent text is accepted.

The person is the corpus's (tests/identity_corpus.py), recorded with their household
member's name and their address, so the guard knows what to look for."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from contracts import services as contract_services
from contracts.exceptions import IdentityLeak as ContractIdentityLeak
from contracts.exceptions import TermsInvalid
from donations import services as donation_services
from donations.exceptions import NotEligible as DonationRefused
from donations.models import Campaign
from needs import proposals
from needs import services as need_services
from needs.exceptions import IdentityLeak as NeedIdentityLeak
from needs.models import Need
from needs.workflow import DEFAULT_WEIGHTS
from tests.contracts.helpers import INDICATORS, draft, milestones, sign, terms
from tests.identity_corpus import ADDRESS, EVASIONS, HOUSEHOLD, ID_NUMBER, INNOCENT, NAME
from tests.needs.helpers import answer_all, card, eligible_org, person

REFUSALS = (NeedIdentityLeak, ContractIdentityLeak, TermsInvalid, DonationRefused)


class _Undo(Exception):
    pass


def attempt(write) -> Exception | None:
    """Run one write and undo it whatever happens: the refusal, or None if accepted."""
    try:
        with transaction.atomic():
            write()
            raise _Undo
    except _Undo:
        return None
    except REFUSALS as refusal:
        return refusal


def the_person() -> dict:
    return person(name=NAME, id_number=ID_NUMBER, address=ADDRESS, phone="13811112222")


HOUSEHOLD_ROWS = [{"relation": "女儿", "age": 30, "name": HOUSEHOLD[0]}]


def recorded(agency, caseworker, **overrides) -> Need:
    return need_services.need_create(
        agency=agency, by=caseworker, data=card(**overrides), beneficiary=the_person(), household=HOUSEHOLD_ROWS
    )


def approved(agency, caseworker, approver, *, reason: str = "", **overrides) -> Need:
    """``reason``: why a second need of the same person goes ahead."""
    need = recorded(agency, caseworker, **overrides)
    answer_all(need, caseworker)
    need_services.need_transition(need=need, action="submit", by=caseworker, reason=reason)
    return need_services.need_transition(need=need, action="approve", by=approver, reason=reason)


@pytest.fixture
def active(world):
    """A contract in force for the corpus's person, with an organisation that may raise
    money from the public."""
    world.vetted_org.public_fundraising = True
    world.serving()
    need = need_services.need_transition(
        need=approved(world.county_agency, world.caseworker, world.approver), action="publish", by=world.approver
    )
    need = need_services.need_transition(
        need=need, action="claim", by=world.charity_member, organisation=world.vetted_org
    )
    return sign(draft(need, world.caseworker), world.approver, world.charity_admin)


# --- The writers: one per field, each (targets, text) -> the write ------------------------


def need_field(field):
    def write(targets, text):
        return lambda: recorded(targets["agency"], targets["caseworker"], **{field: text})

    return write


def proposal_field(field):
    def write(targets, text):
        data = {
            "plan": "每日上门助餐",
            "price": Decimal("15000"),
            "duration_days": 90,
            "timeline": "三个月",
            "team": "社工2名",
        }
        org, member = targets["proposer"]
        return lambda: proposals.proposal_submit(
            need=targets["open_need"], organisation=org, by=member, data={**data, field: text}
        )

    return write


def amended(targets, *, data=None, items=None, indicators=None):
    """An amendment of the contract in force, drafted with these terms (undone after)."""

    def run():
        contract = targets["active"]
        contract_services.contract_amend(contract=contract, by=targets["caseworker"], reason="调整服务内容")
        schedule_ = items or contract_services.schedule_data(contract_services.current_version(contract))
        contract_services.contract_update_draft(
            contract=contract,
            by=targets["caseworker"],
            data=data or terms(),
            milestones=schedule_,
            indicators=indicators or INDICATORS,
        )

    return run


def contract_field(field):
    def write(targets, text):
        return amended(targets, data=terms(**{field: text}))

    return write


def milestone_field(field):
    def write(targets, text):
        items = contract_services.schedule_data(contract_services.current_version(targets["active"]))
        items[1][field] = text
        return amended(targets, items=items)

    return write


def indicator_field(field):
    def write(targets, text):
        items = [dict(i) for i in INDICATORS]
        items[0][field] = text
        return amended(targets, indicators=items)

    return write


def record_field(field):
    def write(targets, text):
        data = {"date": timezone.localdate(), "hours": Decimal("2"), "worker": "王社工", "activity": "上门助餐"}
        return lambda: contract_services.evidence_record_add(
            milestone=targets["milestone"], by=targets["member"], data={**data, field: text}
        )

    return write


def amendment_reason(targets, text):
    return lambda: contract_services.contract_amend(contract=targets["active"], by=targets["caseworker"], reason=text)


def termination_reason(targets, text):
    return lambda: contract_services.contract_terminate(contract=targets["active"], by=targets["approver"], reason=text)


def evaluation_summary(targets, text):
    return lambda: contract_services.contract_evaluate(
        contract=targets["active"], by=targets["approver"], scores={}, summary=text
    )


def campaign_purpose(targets, text):
    return lambda: donation_services.campaign_open(
        need=targets["active"].need, by=targets["approver"], target_minor=100_000, purpose=text
    )


WRITERS = {
    "need title": need_field("title"),
    "need summary": need_field("summary"),
    "need qualifications": need_field("qualifications"),
    "proposal plan": proposal_field("plan"),
    "proposal timeline": proposal_field("timeline"),
    "proposal team": proposal_field("team"),
    "contract content": contract_field("content_scope"),
    "contract quantity": contract_field("quantity"),
    "contract rights": contract_field("rights_obligations"),
    "milestone description": milestone_field("description"),
    "milestone deliverables": milestone_field("deliverables"),
    "indicator target": indicator_field("target"),
    "service record activity": record_field("activity"),
    "service record notes": record_field("notes"),
    "amendment reason": amendment_reason,
    "termination reason": termination_reason,
}


@pytest.fixture
def targets(world, active):
    """What the writers write into: the contract in force, a need open to proposals
    (the same person's second), and an organisation to propose."""
    county_agency, caseworker, approver = world.county_agency, world.caseworker, world.approver
    open_need = proposals.proposals_open(
        need=approved(county_agency, caseworker, approver, reason="同一家庭的另一项需求", budget=Decimal("20000")),
        by=approver,
        weights=DEFAULT_WEIGHTS,
    )
    return {
        "agency": county_agency,
        "caseworker": caseworker,
        "approver": approver,
        "member": world.charity_member,
        "active": active,
        "milestone": milestones(active)[0],
        "open_need": open_need,
        "proposer": eligible_org(),
    }


@pytest.mark.parametrize("field", WRITERS)
def test_every_evasion_is_refused_and_changes_nothing(targets, field):
    write = WRITERS[field]
    counts = _counts()
    missed = [text for text in EVASIONS if attempt(write(targets, text)) is None]
    assert missed == [], f"{field}: accepted {missed}"
    assert _counts() == counts


@pytest.mark.parametrize("field", WRITERS)
def test_every_innocent_text_is_accepted(targets, field):
    write = WRITERS[field]
    refused = {text: str(r) for text in INNOCENT if (r := attempt(write(targets, text))) is not None}
    assert refused == {}, f"{field}: refused {refused}"


def test_evaluation_notes_and_the_campaign_purpose_are_guarded(targets):
    # Reached through their own paths (a completed contract, a fundraising organisation):
    # the guard runs before anything else is checked, so a leak is refused first.
    for write in (evaluation_summary, campaign_purpose):
        assert isinstance(attempt(write(targets, "联系敖青梧本人")), REFUSALS)
        assert isinstance(attempt(write(targets, "卡号 6222 0212 3456 7890 128")), REFUSALS)


def _counts() -> tuple[int, ...]:
    from contracts.models import ContractVersion, ServiceRecord
    from needs.models import Proposal

    return (
        Need.objects.count(),
        Proposal.objects.count(),
        ContractVersion.objects.count(),
        ServiceRecord.objects.count(),
        Campaign.objects.count(),
    )
