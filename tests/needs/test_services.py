"""Needs from recording to publication: the vault, the gap gate, separation of duties,
the card's privacy, and who sees what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation

from accounts.models import Membership, Role
from audit.models import AuditEntry
from needs import services
from needs.exceptions import (
    GapGateNotPassed,
    IdentityLeak,
    InvalidTransition,
    NeverPurchased,
    NotAllowed,
    ReasonRequired,
    SeparationOfDuties,
)
from needs.forms import BeneficiaryForm
from needs.models import Need, NeedState, Scheme, SchemeAnswer, Scope
from needs.selectors import needs_visible_to
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from tests.needs.helpers import CANARY_ID, CANARY_NAME, CANARY_PHONE, answer_all, card, person


@pytest.fixture
def draft(caseworker, county_agency):
    return services.need_create(
        agency=county_agency,
        by=caseworker,
        data=card(),
        beneficiary=person(),
        household=[{"relation": "配偶", "age": 81}],
    )


@pytest.fixture
def submitted(draft, caseworker):
    answer_all(draft, caseworker, dibao=SchemeAnswer.INSUFFICIENT)
    return services.need_transition(need=draft, action="submit", by=caseworker)


@pytest.fixture
def published(submitted, approver):
    approved = services.need_transition(need=submitted, action="approve", by=approver)
    return services.need_transition(need=approved, action="publish", by=approver)


# --- The vault ------------------------------------------------------------------


def test_identity_is_encrypted_at_rest_and_hashed_for_lookups(draft):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM needs_beneficiary")
        dump = repr(cursor.fetchall())
    for secret in (CANARY_ID, CANARY_PHONE, "某某路12号", CANARY_NAME):
        assert secret not in dump
    assert draft.beneficiary.id_number == CANARY_ID
    assert len(draft.beneficiary.id_hash) == 64


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5101291985031200", "length"),
        ("51012919850312001X", "checksum"),
        ("51012919851312001A", "format"),
        ("510129198513120014", "birth_date"),
        ("510129209901010011", "birth_date"),
    ],
)
def test_bad_id_numbers_are_refused_with_what_is_wrong(db, value, code):
    form = BeneficiaryForm({"name": "张三", "id_number": value})
    assert not form.is_valid()
    assert form.errors.as_data()["id_number"][0].code == code


def test_an_elderly_residents_id_under_the_countys_old_code_is_valid(db):
    # Born 1950 in 大邑县, whose code changed to 510129 in 1983: still a valid ID.
    form = BeneficiaryForm({"name": "张三", "id_number": "510129195001010026"})
    assert form.is_valid(), form.errors


def test_an_identity_reveal_needs_a_reason_and_is_audited(draft, caseworker):
    with pytest.raises(ReasonRequired):
        services.identity_reveal(beneficiary=draft.beneficiary, by=caseworker, field="id_number", reason="")
    value = services.identity_reveal(beneficiary=draft.beneficiary, by=caseworker, field="id_number", reason="核对身份")
    assert value == CANARY_ID
    entry = AuditEntry.objects.get(action="identity.reveal", outcome="success")
    assert entry.summary == {"field": "id_number", "reason": "核对身份"}
    assert CANARY_ID not in str(entry.summary)


def test_another_agency_cannot_reveal(draft, other_caseworker, charity_admin):
    for outsider in (other_caseworker, charity_admin):
        with pytest.raises(NotAllowed):
            services.identity_reveal(beneficiary=draft.beneficiary, by=outsider, field="phone", reason="想看看")
    assert AuditEntry.objects.filter(action="identity.reveal", outcome="denied").count() == 2


# --- What a card may say --------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        (f"老人身份证{CANARY_ID}需要帮助", "an ID number"),
        ("联系电话 139-1234-5678", "a phone number"),
        ("座机 028-88881234", "a phone number"),
        (f"{CANARY_NAME}老人需要助餐", "the name of the person helped"),
    ],
)
def test_a_summary_that_identifies_is_refused_pointing_at_the_part(caseworker, county_agency, summary, kind):
    translation.activate("en")
    with pytest.raises(IdentityLeak, match=kind):
        services.need_create(
            agency=county_agency, by=caseworker, data=card(summary=summary), beneficiary=person(), household=[]
        )
    assert not Need.objects.exists()


@pytest.mark.parametrize("phrase", ["低保资格认定", "救助金发放", "投诉处理", "监督检查"])
def test_what_is_never_purchased_is_refused(caseworker, county_agency, phrase):
    with pytest.raises(NeverPurchased):
        services.need_create(
            agency=county_agency,
            by=caseworker,
            data=card(title=f"委托开展{phrase}"),
            beneficiary=person(),
            household=[],
        )
    assert not Need.objects.exists()


# --- The gap gate ---------------------------------------------------------------


def test_nothing_is_submitted_until_every_scheme_is_answered(draft, caseworker):
    with pytest.raises(GapGateNotPassed) as caught:
        services.need_transition(need=draft, action="submit", by=caseworker)
    assert len(caught.value.problems) == len(Scheme) + 1  # every scheme, and the gap reason


def test_eligible_but_not_applied_routes_to_the_scheme_first(draft, caseworker):
    translation.activate("en")
    answer_all(draft, caseworker, medical=SchemeAnswer.NOT_APPLIED)
    with pytest.raises(GapGateNotPassed) as caught:
        services.need_transition(need=draft, action="submit", by=caseworker)
    assert caught.value.problems == [
        "The household is eligible for Medical assistance (医疗救助) but has not applied: apply to that scheme first."
    ]
    draft.refresh_from_db()
    assert draft.state == NeedState.DRAFT


# --- The workflow ---------------------------------------------------------------


def test_the_path_to_publication(published, caseworker, approver):
    assert published.state == NeedState.PUBLISHED and published.published_at
    assert published.approved_by == approver and published.prepared_by == caseworker
    actions = list(published.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["create", "submit", "approve", "publish"]
    assert AuditEntry.objects.filter(action="need.publish").exists()


def test_the_preparer_can_never_approve(county_agency, approver, caseworker):
    need = services.need_create(agency=county_agency, by=approver, data=card(), beneficiary=person(), household=[])
    answer_all(need, approver)
    services.need_transition(need=need, action="submit", by=approver)
    with pytest.raises(SeparationOfDuties):
        services.need_transition(need=need, action="approve", by=approver)
    with pytest.raises(NotAllowed):
        services.need_transition(need=need, action="approve", by=caseworker)  # not an approver


def test_an_approver_of_another_agency_cannot_decide(submitted, other_agency):
    stranger = UserFactory()
    Membership.objects.create(user=stranger, role=Role.AGENCY_APPROVER, agency=other_agency)
    with pytest.raises(NotAllowed):
        services.need_transition(need=submitted, action="approve", by=stranger)


def test_an_approver_above_decides_for_the_agency_below(township_agency, caseworker, approver):
    # The county approver's subtree includes the township office.
    worker = UserFactory()
    Membership.objects.create(user=worker, role=Role.AGENCY_CASEWORKER, agency=township_agency)
    need = services.need_create(agency=township_agency, by=worker, data=card(), beneficiary=person(), household=[])
    answer_all(need, worker)
    services.need_transition(need=need, action="submit", by=worker)
    assert services.need_transition(need=need, action="approve", by=approver).state == NeedState.APPROVED


def test_returning_needs_a_reason_and_the_caseworker_resubmits(submitted, approver, caseworker):
    with pytest.raises(ReasonRequired):
        services.need_transition(need=submitted, action="return", by=approver)
    returned = services.need_transition(need=submitted, action="return", by=approver, reason="预算依据不足")
    assert returned.state == NeedState.RETURNED and returned.state_reason == "预算依据不足"
    assert services.need_transition(need=returned, action="submit", by=caseworker).state == NeedState.SUBMITTED


def test_forbidden_transitions_change_nothing(draft, approver, auditor):
    with pytest.raises(InvalidTransition):
        services.need_transition(need=draft, action="publish", by=approver)
    with pytest.raises(NotAllowed):
        services.need_transition(need=draft, action="withdraw", by=auditor, reason="x")
    draft.refresh_from_db()
    assert draft.state == NeedState.DRAFT


# --- Who sees what --------------------------------------------------------------


def test_visibility_by_role(
    published, caseworker, other_caseworker, charity_member, unvetted_member, auditor, outsider, vetted_org
):
    vetted_org.service_regions.set([Region.objects.get(code="510129")])  # serves the county
    for user in (caseworker, auditor, charity_member):
        assert published in needs_visible_to(user), user
    for user in (other_caseworker, unvetted_member, outsider):
        assert published not in needs_visible_to(user), user


def test_a_draft_is_never_visible_to_organisations(draft, charity_member, vetted_org):
    vetted_org.service_regions.set([Region.objects.get(code="510129")])
    draft.scope = Scope.ALL
    draft.save()
    assert draft not in needs_visible_to(charity_member)


def test_region_scope_follows_service_regions(published, db):
    far = OrganisationFactory()
    far.service_regions.set([Region.objects.get(code="110101")])
    member = UserFactory()
    Membership.objects.create(user=member, role=Role.ORG_MEMBER, organisation=far)
    assert published not in needs_visible_to(member)
    Need.objects.filter(pk=published.pk).update(scope=Scope.ALL)
    assert published in needs_visible_to(member)
