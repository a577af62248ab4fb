"""Two vetting officers deciding the same application at once: exactly one decision lands."""

from __future__ import annotations

import pytest

from tests.helpers import run_in_threads

pytestmark = pytest.mark.postgres  # row locks


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_one_wins():
    from accounts.models import Membership, Role
    from organisations.models import VettingState
    from tests.factories import OrganisationFactory, UserFactory
    from vetting import services
    from vetting.exceptions import InvalidTransition
    from vetting.models import VettingEvent
    from vetting.workflow import CHECKLIST_CODES
    from website.demo import ensure_reference_data

    ensure_reference_data()
    organisation = OrganisationFactory(vetting_state=VettingState.UNDER_REVIEW, approved_until=None)
    officers = [UserFactory() for _ in range(2)]
    for officer in officers:
        Membership.objects.create(user=officer, role=Role.VETTING_OFFICER)
    services.checklist_record(
        organisation=organisation, by=officers[0], items={code: ("pass", "") for code in CHECKLIST_CODES}
    )

    def decide(i: int) -> None:
        if i == 0:
            services.organisation_transition(organisation=organisation, action="approve", by=officers[0])
        else:
            services.organisation_transition(
                organisation=organisation, action="reject", by=officers[1], reason="不符合"
            )

    errors = run_in_threads(2, decide)
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition)
    organisation.refresh_from_db()
    assert organisation.vetting_state in {VettingState.APPROVED, VettingState.REJECTED}
    assert VettingEvent.objects.filter(organisation=organisation).count() == 1
