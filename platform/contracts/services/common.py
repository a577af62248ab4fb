"""What the contract services share: the row locks, the event row with its audit entry,
who is told, and the identity guard on texts others read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record
from contracts.exceptions import IdentityLeak, TermsInvalid
from contracts.models import Contract, ContractEvent, Milestone
from core.identity_guard import identity_in
from needs.models import Need
from needs.selectors import ancestor_paths, identity_known_for_need
from notifications.services import notify, url_for


def contract_event(
    contract: Contract, action: str, by: User | None, *, milestone=None, reason: str = "", summary: dict | None = None
) -> None:
    """Append a ContractEvent (the contract's history) and its audit entry."""
    ContractEvent.objects.create(contract=contract, action=action, milestone=milestone, by=by, reason=reason)
    record(
        action=f"contract.{action}",
        actor=by,
        obj=milestone or contract,
        summary={"contract": contract.number, **({"reason": reason} if reason else {}), **(summary or {})},
    )


def lock_contract(contract: Contract) -> Contract:
    """The contract row, locked until the transaction ends (call inside one)."""
    return Contract.objects.select_for_update().select_related("agency", "organisation", "need").get(pk=contract.pk)


def lock_milestone(milestone: Milestone) -> Milestone:
    """The milestone row, locked until the transaction ends (call inside one)."""
    return Milestone.objects.select_for_update().select_related("contract", "contract__agency").get(pk=milestone.pk)


def agency_people(contract: Contract, *roles: str) -> list[User]:
    """Active holders of ``roles`` in the contract's agency or an agency above it."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role__in=roles,
            memberships__agency__path__in=ancestor_paths(contract.agency.path),
        ).distinct()
    )


def organisation_people(contract: Contract, *roles: str) -> list[User]:
    members = User.objects.filter(is_active=True, memberships__organisation=contract.organisation)
    if roles:
        members = members.filter(memberships__role__in=roles)
    return list(members.distinct())


def tell(people, event: str, contract: Contract, *, exclude=None, **params) -> None:
    """Notify each of ``people`` once (but not ``exclude``, who took the step)."""
    url = url_for("contracts:detail", contract.pk)
    for person in {p for p in people if exclude is None or p.pk != exclude.pk}:
        notify(user=person, event=event, params={"contract": contract.number, **params}, url=url)


def terms_text_check(contract_need: Need, texts: dict[str, str]) -> None:
    """The contract's texts are read by the organisation, auditors and the public register."""
    leak = identity_in(texts, known=identity_known_for_need(contract_need))
    if leak:
        raise TermsInvalid(_("The contract must not identify the person helped: remove it."), [leak.message])


def identity_refuse(contract: Contract, texts: dict[str, str]) -> None:
    """The identity guard on a text written during the work (records, reasons, notes).
    The need is read afresh, not through ``contract.need``: caching it on the caller's
    contract would leave that object showing the need's state from before this service."""
    need = Need.objects.select_related("beneficiary").get(pk=contract.need_id)
    leak = identity_in(texts, known=identity_known_for_need(need))
    if leak:
        raise IdentityLeak(leak.message, field=leak.field)
