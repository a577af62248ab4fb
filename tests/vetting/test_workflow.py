"""The vetting workflow through its one door: every transition, and the forbidden ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.models import Membership, Role
from audit.models import AuditEntry
from categories.models import Category
from notifications.models import Notification
from organisations.models import Organisation, OrganisationKind, VettingState
from organisations.selectors import organisation_may_act, organisations_may_act
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from vetting import services
from vetting.exceptions import ConflictOfInterest, Incomplete, InvalidTransition, Locked, NotAllowed, ReasonRequired
from vetting.models import ChangeRequest, DocumentType, VettingEvent
from vetting.selectors import organisation_missing_items
from vetting.uploads import check_upload
from vetting.workflow import CHECKLIST_CODES, TRANSITIONS
from website.demo import demo_pdf


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def draft(db):
    organisation = OrganisationFactory(
        legal_name="大邑县新苗社会工作服务中心",
        vetting_state=VettingState.DRAFT,
        approved_until=None,
        registration_authority="大邑县民政局",
        registration_date=timezone.localdate() - timedelta(days=800),
        contact_name="李老师",
        phone="028-12345678",
        bank_name="农业银行",
        bank_account_name="大邑县新苗社会工作服务中心",
        bank_account="6228480000000001",
    )
    organisation.service_regions.set([Region.objects.get(code="510129001")])
    organisation.service_categories.set(Category.objects.filter(code="child_care"))
    return organisation


@pytest.fixture
def admin(draft):
    user = UserFactory(email="xinmiao.admin@example.test", mfa=True)
    Membership.objects.create(user=user, role=Role.ORG_ADMIN, organisation=draft)
    return user


def upload(organisation, by, doc_type):
    data = demo_pdf(f"{doc_type} document")
    file = SimpleUploadedFile(f"{doc_type}.pdf", data, content_type="application/pdf")
    return services.document_upload(
        organisation=organisation, by=by, doc_type=doc_type, upload=file, checked=check_upload(file)
    )


@pytest.fixture
def complete(draft, admin):
    for doc_type in (DocumentType.REGISTRATION, DocumentType.ANNUAL_REPORT, DocumentType.BANK):
        upload(draft, admin, doc_type)
    return draft


@pytest.fixture
def submitted(complete, admin):
    return services.organisation_transition(organisation=complete, action="submit", by=admin)


@pytest.fixture
def under_review(submitted, vetting_officer):
    return services.organisation_transition(organisation=submitted, action="start_review", by=vetting_officer)


def fill_checklist(organisation, officer, outcome="pass"):
    services.checklist_record(
        organisation=organisation, by=officer, items={code: (outcome, "核对无误") for code in CHECKLIST_CODES}
    )


@pytest.fixture
def approved(under_review, vetting_officer):
    fill_checklist(under_review, vetting_officer)
    return services.organisation_transition(organisation=under_review, action="approve", by=vetting_officer)


# --- Submission -------------------------------------------------------------------


def test_a_draft_names_what_is_missing(draft, admin):
    translation.activate("en")
    missing = organisation_missing_items(draft)
    assert any("Registration certificate" in m for m in missing)
    with pytest.raises(Incomplete) as caught:
        services.organisation_transition(organisation=draft, action="submit", by=admin)
    assert caught.value.missing == missing
    draft.refresh_from_db()
    assert draft.vetting_state == VettingState.DRAFT


def test_claims_add_required_documents(complete):
    translation.activate("en")
    assert organisation_missing_items(complete) == []
    complete.public_fundraising = True
    complete.kind = OrganisationKind.CHARITY
    complete.save()
    missing = organisation_missing_items(complete)
    assert any("Public-fundraising" in m for m in missing) and any("Charity recognition" in m for m in missing)


def test_submitting_notifies_vetting_officers_and_writes_the_event(vetting_officer, submitted, admin):
    assert submitted.vetting_state == VettingState.SUBMITTED and submitted.submitted_at
    assert Notification.objects.filter(user=vetting_officer, event="organisation_submitted").exists()
    event = VettingEvent.objects.get(organisation=submitted, action="submit")
    assert (event.from_state, event.to_state, event.by) == ("draft", "submitted", admin)
    assert AuditEntry.objects.filter(action="vetting.submit", object_id=str(submitted.pk)).exists()


def test_a_member_cannot_submit_only_the_admin(complete, db):
    member = UserFactory()
    Membership.objects.create(user=member, role=Role.ORG_MEMBER, organisation=complete)
    with pytest.raises(NotAllowed):
        services.organisation_transition(organisation=complete, action="submit", by=member)


def test_a_submitted_application_is_frozen(submitted, admin):
    with pytest.raises(Locked):
        upload(submitted, admin, DocumentType.OTHER)
    with pytest.raises(Locked):
        services.organisation_update(
            organisation=submitted, by=admin, data={"legal_name": "改名"}, service_regions=[], service_categories=[]
        )


# --- Review and decisions -----------------------------------------------------------


def test_approval_needs_a_complete_checklist(under_review, vetting_officer):
    with pytest.raises(Incomplete):
        services.organisation_transition(organisation=under_review, action="approve", by=vetting_officer)
    services.checklist_record(organisation=under_review, by=vetting_officer, items={"registration": ("pass", "")})
    with pytest.raises(Incomplete) as caught:
        services.organisation_transition(organisation=under_review, action="approve", by=vetting_officer)
    # Issue 20, item 4: in words, never the raw codes ("registration | uscc | … no_adverse").
    from vetting.workflow import CHECKLIST

    assert caught.value.missing == [str(e.label) for e in CHECKLIST if e.code != "registration"]
    assert "bank" not in caught.value.missing and "no_adverse" not in caught.value.missing


def test_a_failed_item_needs_a_note_and_blocks_approval(under_review, vetting_officer):
    with pytest.raises(ReasonRequired):
        services.checklist_record(organisation=under_review, by=vetting_officer, items={"bank": ("fail", " ")})
    fill_checklist(under_review, vetting_officer)
    services.checklist_record(organisation=under_review, by=vetting_officer, items={"bank": ("fail", "账户名不符")})
    with pytest.raises(InvalidTransition):
        services.organisation_transition(organisation=under_review, action="approve", by=vetting_officer)


def test_approval_lasts_twelve_months_and_grants_access(approved, admin):
    assert approved.vetting_state == VettingState.APPROVED
    assert timedelta(days=364) < approved.approved_until - timezone.now() <= timedelta(days=365)
    assert approved.vetted_since is not None
    assert organisation_may_act(organisation=approved)
    assert Notification.objects.filter(user=admin, event="organisation_approve").exists()


def test_rejection_needs_a_reason_and_the_admin_can_fix_and_resubmit(under_review, vetting_officer, admin):
    with pytest.raises(ReasonRequired):
        services.organisation_transition(organisation=under_review, action="reject", by=vetting_officer)
    rejected = services.organisation_transition(
        organisation=under_review, action="reject", by=vetting_officer, reason="年度报告缺少审计意见"
    )
    assert rejected.vetting_state == VettingState.REJECTED and rejected.state_reason == "年度报告缺少审计意见"
    # A rejected application cannot be approved without resubmission.
    with pytest.raises(InvalidTransition):
        services.organisation_transition(organisation=rejected, action="approve", by=vetting_officer)
    upload(rejected, admin, DocumentType.ANNUAL_REPORT)
    again = services.organisation_transition(organisation=rejected, action="submit", by=admin)
    assert again.vetting_state == VettingState.SUBMITTED and again.state_reason == ""


def test_an_officer_cannot_review_an_organisation_they_belong_to(submitted, vetting_officer):
    Membership.objects.create(user=vetting_officer, role=Role.ORG_MEMBER, organisation=submitted)
    with pytest.raises(ConflictOfInterest):
        services.organisation_transition(organisation=submitted, action="start_review", by=vetting_officer)
    submitted.refresh_from_db()
    assert submitted.vetting_state == VettingState.SUBMITTED


def test_an_organisation_admin_cannot_approve_itself(under_review, admin):
    with pytest.raises(NotAllowed):
        services.organisation_transition(organisation=under_review, action="approve", by=admin)
    with pytest.raises(NotAllowed):
        services.checklist_record(organisation=under_review, by=admin, items={"bank": ("pass", "")})


def test_the_auditor_and_agency_staff_cannot_decide(under_review, auditor, caseworker):
    for person in (auditor, caseworker):
        with pytest.raises(NotAllowed):
            services.organisation_transition(organisation=under_review, action="reject", by=person, reason="x")


def test_suspend_and_reinstate(approved, vetting_officer):
    suspended = services.organisation_transition(
        organisation=approved, action="suspend", by=vetting_officer, reason="投诉调查中"
    )
    assert not organisation_may_act(organisation=suspended)
    reinstated = services.organisation_transition(
        organisation=suspended, action="reinstate", by=vetting_officer, reason="调查结束，未发现问题"
    )
    assert organisation_may_act(organisation=reinstated)


def test_reinstating_after_the_approval_ran_out_is_refused(approved, vetting_officer):
    suspended = services.organisation_transition(
        organisation=approved, action="suspend", by=vetting_officer, reason="x"
    )
    Organisation.objects.filter(pk=suspended.pk).update(approved_until=timezone.now() - timedelta(days=1))
    with pytest.raises(InvalidTransition):
        services.organisation_transition(organisation=suspended, action="reinstate", by=vetting_officer, reason="y")


def test_revocation_is_final(approved, vetting_officer, admin):
    revoked = services.organisation_transition(
        organisation=approved, action="revoke", by=vetting_officer, reason="欺诈"
    )
    for action, by in (("reinstate", vetting_officer), ("submit", admin), ("approve", vetting_officer)):
        with pytest.raises((InvalidTransition, NotAllowed)):
            services.organisation_transition(organisation=revoked, action=action, by=by, reason="r")
    assert not organisation_may_act(organisation=revoked)


def test_only_the_system_expires(approved, vetting_officer):
    with pytest.raises(NotAllowed):
        services.organisation_transition(organisation=approved, action="expire", by=vetting_officer)


def test_every_transition_in_the_table_has_a_source_and_target():
    for action, transition in TRANSITIONS.items():
        assert transition.sources and transition.target in VettingState.values, action
        assert transition.target not in transition.sources or action == "reinstate"


def test_an_unknown_action_is_refused(approved, vetting_officer):
    with pytest.raises(InvalidTransition):
        services.organisation_transition(organisation=approved, action="promote", by=vetting_officer)


# --- The expiry sweep ---------------------------------------------------------------


def test_the_sweep_expires_and_access_ends_within_one_sweep(approved, admin):
    Organisation.objects.filter(pk=approved.pk).update(approved_until=timezone.now() - timedelta(minutes=1))
    # Even before the sweep, the selector no longer lets it act.
    assert not organisation_may_act(organisation=approved)
    result = services.vetting_sweep()
    approved.refresh_from_db()
    assert result["expired"] == 1 and approved.vetting_state == VettingState.EXPIRED
    assert Notification.objects.filter(user=admin, event="organisation_expire").exists()
    assert VettingEvent.objects.filter(organisation=approved, action="expire", by__isnull=True).exists()
    assert services.vetting_sweep()["expired"] == 0


def test_reminders_at_30_and_7_days_are_sent_once_each(approved, admin):
    now = timezone.now()
    Organisation.objects.filter(pk=approved.pk).update(approved_until=now + timedelta(days=25))
    assert services.vetting_sweep()["reminded"] == 1
    assert services.vetting_sweep()["reminded"] == 0
    Organisation.objects.filter(pk=approved.pk).update(approved_until=now + timedelta(days=6))
    assert services.vetting_sweep()["reminded"] == 1
    assert services.vetting_sweep()["reminded"] == 0
    reminders = Notification.objects.filter(user=admin, event="organisation_expiry_reminder")
    assert sorted(n.params["days"] for n in reminders) == [7, 30]


def test_an_approval_already_inside_seven_days_gets_one_reminder(approved, admin):
    Organisation.objects.filter(pk=approved.pk).update(approved_until=timezone.now() + timedelta(days=3))
    assert services.vetting_sweep()["reminded"] == 1
    assert services.vetting_sweep()["reminded"] == 0


def test_the_expired_organisation_may_apply_again(approved, admin, vetting_officer):
    Organisation.objects.filter(pk=approved.pk).update(approved_until=timezone.now() - timedelta(minutes=1))
    services.vetting_sweep()
    again = services.organisation_transition(organisation=approved, action="submit", by=admin)
    assert again.vetting_state == VettingState.SUBMITTED


# --- Change requests ------------------------------------------------------------------


def test_changing_key_facts_of_an_approved_organisation_waits_for_an_officer(approved, admin, vetting_officer):
    old_name = approved.legal_name
    request = services.organisation_update(
        organisation=approved,
        by=admin,
        data={"legal_name": "大邑县新苗社会工作服务中心（更名）", "description": "新的简介"},
        service_regions=list(approved.service_regions.all()),
        service_categories=list(approved.service_categories.all()),
    )
    approved.refresh_from_db()
    assert approved.legal_name == old_name  # the old facts stand
    assert approved.description == "新的简介"  # ordinary fields change at once
    assert request.changes["legal_name"]["after"].endswith("（更名）")
    services.change_request_decide(change_request=request, by=vetting_officer, approve=True)
    approved.refresh_from_db()
    assert approved.legal_name.endswith("（更名）")
    assert ChangeRequest.objects.get(pk=request.pk).state == "approved"


def test_a_refused_change_needs_a_reason_and_changes_nothing(approved, admin, vetting_officer):
    request = services.organisation_update(
        organisation=approved,
        by=admin,
        data={"bank_account": "6228489999999999"},
        service_regions=list(approved.service_regions.all()),
        service_categories=list(approved.service_categories.all()),
    )
    with pytest.raises(ReasonRequired):
        services.change_request_decide(change_request=request, by=vetting_officer, approve=False)
    services.change_request_decide(change_request=request, by=vetting_officer, approve=False, reason="未提供开户证明")
    approved.refresh_from_db()
    assert approved.bank_account == "6228480000000001"


def test_one_pending_change_request_is_amended_not_duplicated(approved, admin):
    for name in ("名称一", "名称二"):
        services.organisation_update(
            organisation=approved,
            by=admin,
            data={"legal_name": name},
            service_regions=list(approved.service_regions.all()),
            service_categories=list(approved.service_categories.all()),
        )
    requests = ChangeRequest.objects.filter(organisation=approved, state="pending")
    assert requests.count() == 1 and requests.get().changes["legal_name"]["after"] == "名称二"


# --- The one question ---------------------------------------------------------------


def test_may_act_is_approved_and_unexpired_at_the_moment_asked(approved):
    assert organisation_may_act(organisation=approved)
    later = approved.approved_until + timedelta(seconds=1)
    assert not organisation_may_act(organisation=approved, at=later)
    assert approved in organisations_may_act()
    assert approved not in organisations_may_act(at=later)
