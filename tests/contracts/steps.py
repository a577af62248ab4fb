"""Drive contracts through their life with the services, for the tests of what reads
contracts (track record, the agency's record, the household timeline): each step taken
by the member of a ``Team`` whose part it is. The steps are those of
tests/contracts/test_lifecycle.py (tests/contracts/helpers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from contracts import selectors, services
from contracts.models import Contract, Milestone
from needs import services as need_services
from tests.contracts.helpers import draft, milestones, pdf, sign, staff
from tests.needs.helpers import answer_all, card, person
from tests.world import World, serve


@dataclass
class Team:
    """Who performs each step: the agency's caseworker (drafts), approver (signs),
    second approver (accepts, evaluates, closes), two finance officers (one records, the
    other authorises); the organisation's admin (signs) and member (works)."""

    caseworker: object
    approver: object
    second_approver: object
    finance: object
    second_finance: object
    org_admin: object
    member: object


def team(world: World) -> Team:
    """The county bureau's caseworker and approver with a second approver and two finance
    officers, and the vetted charity's admin and member."""
    agency = world.county_agency
    return Team(
        world.caseworker,
        world.approver,
        staff(agency, Role.AGENCY_APPROVER, "approver2@example.test"),
        staff(agency, Role.AGENCY_FINANCE, "finance@example.test"),
        staff(agency, Role.AGENCY_FINANCE, "finance2@example.test"),
        world.charity_admin,
        world.charity_member,
    )


def serving(organisation, category="elderly_care"):
    """Room for the many contracts a test of what reads them makes."""
    return serve(organisation, capacity=50, categories=(category,))


_people = iter(range(1, 1000))


def beneficiary(n: int | None = None) -> dict:
    """A different (made-up) person each time, or the same for the same ``n``."""
    from needs.forms import resident_id_check_digit

    n = next(_people) if n is None else n
    body = f"51012919500101{n:03d}"
    return person(name=f"测试{n:03d}", id_number=body + resident_id_check_digit(body), phone="")


def published(agency, t: Team, *, who: dict | None = None, **overrides):
    need = need_services.need_create(
        agency=agency, by=t.caseworker, data=card(**overrides), beneficiary=who or beneficiary(), household=[]
    )
    answer_all(need, t.caseworker)
    reason = "同一家庭的另一项需求" if who else ""
    need_services.need_transition(need=need, action="submit", by=t.caseworker, reason=reason)
    need_services.need_transition(need=need, action="approve", by=t.approver, reason=reason)
    return need_services.need_transition(need=need, action="publish", by=t.approver)


def claimed(agency, t: Team, organisation, *, who: dict | None = None, **overrides):
    need = published(agency, t, who=who, **overrides)
    return need_services.need_transition(need=need, action="claim", by=t.member, organisation=organisation)


def signed(need, t: Team, **overrides) -> Contract:
    return sign(draft(need, t.caseworker, **overrides), t.approver, t.org_admin)


def deliver(milestone, t: Team) -> Milestone:
    services.evidence_record_add(
        milestone=milestone,
        by=t.member,
        data={"date": timezone.localdate(), "hours": Decimal("2"), "worker": "王社工", "activity": "上门助餐"},
    )
    return services.milestone_submit(milestone=milestone, by=t.member)


def confirm(milestone, t: Team, *, outcome: str = "confirmed", note: str = "") -> None:
    """The social worker asks the person served, who answers with the link and code."""
    _, token, code = services.confirmation_create(milestone=milestone, by=t.member)
    services.confirmation_answer(token=token, code=code, outcome=outcome, rating=None, note=note)


def accept(milestone, t: Team) -> Milestone:
    """Acceptance; a service milestone is first confirmed by the beneficiary (the terms require it)."""
    if services.terms_of(milestone).service and not selectors.beneficiary_confirmed(milestone):
        confirm(milestone, t)
    return services.milestone_accept(milestone=milestone, by=t.second_approver)


def pay(milestone, t: Team, reference: str, amount=None, paid_on=None):
    milestone.refresh_from_db()
    payment = services.payment_record(
        milestone=milestone,
        by=t.finance,
        amount=amount or milestone.outstanding,
        paid_on=paid_on or timezone.localdate(),
        reference=reference,
    )
    return services.payment_authorise(payment=payment, by=t.second_finance)


def closed(need, t: Team, *, scores=(5, 4), late: bool = False) -> Contract:
    """A contract delivered, accepted, paid, evaluated and closed. ``late``: its first
    milestone is submitted after its due date (the evaluation finds it not on time)."""
    contract = signed(need, t)
    for i, milestone in enumerate(milestones(contract)):
        deliver(milestone, t)
        if late and i == 0:
            Milestone.objects.filter(pk=milestone.pk).update(submitted_at=timezone.now() + timedelta(days=365))
        accept(milestone, t)
        pay(milestone, t, f"{contract.number}-P{i}")
    indicators = list(services.current_version(contract).indicators.all())
    services.contract_evaluate(
        contract=contract,
        by=t.second_approver,
        scores={i.pk: (scores[n % len(scores)], "") for n, i in enumerate(indicators)},
        summary="服务良好",
    )
    upload, checked = pdf("final.pdf")
    services.final_report_upload(contract=contract, by=t.member, upload=upload, checked=checked)
    services.contract_close(contract=contract, by=t.second_approver)
    contract.refresh_from_db()
    return contract
