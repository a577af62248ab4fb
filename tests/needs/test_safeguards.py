"""Deduplication across agencies, conflict of interest, and consent (with the under-14 rule)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.models import Membership, Role
from audit.models import AuditEntry
from needs import services
from needs.exceptions import ConflictOfInterest, ConsentInvalid, DuplicatesNeedReason
from needs.models import NeedState
from needs.selectors import consent_valid, open_duplicates
from tests.factories import UserFactory
from tests.needs.helpers import CANARY_ID, answer_all, card, person
from vetting.uploads import check_upload
from website.demo import demo_pdf

CHILD_ID = "110105201503150013"  # born 2015-03-15


@pytest.fixture
def elsewhere(other_agency):
    """The same person's need recorded by another county's caseworker."""
    worker = UserFactory()
    Membership.objects.create(user=worker, role=Role.AGENCY_CASEWORKER, agency=other_agency)
    return services.need_create(agency=other_agency, by=worker, data=card(), beneficiary=person(), household=[])


@pytest.fixture
def draft(caseworker, county_agency):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    answer_all(need, caseworker)
    return need


def test_the_same_persons_open_needs_are_listed_by_agency_and_state_only(draft, elsewhere):
    assert open_duplicates(draft) == [(elsewhere.agency.name, elsewhere.get_state_display())]


def test_going_ahead_with_a_duplicate_needs_a_reason_and_is_audited(draft, elsewhere, caseworker, approver):
    with pytest.raises(DuplicatesNeedReason) as caught:
        services.need_transition(need=draft, action="submit", by=caseworker)
    assert caught.value.duplicates == [(elsewhere.agency.name, elsewhere.get_state_display())]
    draft.refresh_from_db()
    assert draft.state == NeedState.DRAFT
    services.need_transition(need=draft, action="submit", by=caseworker, reason="对方为医疗需求，本需求为助餐服务")
    entry = AuditEntry.objects.get(action="need.duplicates_acknowledged")
    assert entry.summary["reason"] == "对方为医疗需求，本需求为助餐服务"
    # The approver is shown the same and must also give a reason.
    with pytest.raises(DuplicatesNeedReason):
        services.need_transition(need=draft, action="approve", by=approver)


def test_a_withdrawn_need_is_not_a_duplicate(draft, elsewhere):
    services.need_transition(need=elsewhere, action="withdraw", by=elsewhere.prepared_by, reason="重复登记")
    assert open_duplicates(draft) == []


def test_a_declared_relative_blocks_the_preparer_and_the_approver(caseworker, approver, county_agency, draft):
    services.relative_declare(user=approver, name="欧阳晓雯", id_number=CANARY_ID, relation="母亲")
    services.need_transition(need=draft, action="submit", by=caseworker)
    with pytest.raises(ConflictOfInterest):
        services.need_transition(need=draft, action="approve", by=approver)
    services.relative_declare(user=caseworker, name="欧阳晓雯", id_number=CANARY_ID, relation="姑母")
    with pytest.raises(ConflictOfInterest):
        services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    # Only the hash is kept for comparison; the name is encrypted.
    assert approver.relatives.get().id_hash == draft.beneficiary.id_hash


def test_consent_in_person_until_a_future_date(draft, caseworker):
    assert not consent_valid(draft.beneficiary)
    services.consent_record(
        beneficiary=draft.beneficiary,
        by=caseworker,
        given_by="本人",
        by_guardian=False,
        method="in_person",
        valid_until=timezone.localdate() + timedelta(days=180),
    )
    assert consent_valid(draft.beneficiary)
    assert not consent_valid(draft.beneficiary, on=timezone.localdate() + timedelta(days=181))


def test_a_child_under_14_needs_a_guardians_consent(caseworker, county_agency):
    translation.activate("en")
    need = services.need_create(
        agency=county_agency,
        by=caseworker,
        data=card(),
        beneficiary=person(id_number=CHILD_ID, is_minor=True),
        household=[],
    )
    kwargs = {
        "beneficiary": need.beneficiary,
        "by": caseworker,
        "method": "in_person",
        "valid_until": date.today() + timedelta(days=30),
    }
    with pytest.raises(ConsentInvalid, match="under 14"):
        services.consent_record(given_by="本人", by_guardian=False, **kwargs)
    services.consent_record(given_by="祖母（监护人）", by_guardian=True, **kwargs)
    assert consent_valid(need.beneficiary)


def test_a_signed_form_must_be_uploaded_and_is_stored_privately(draft, caseworker, settings, tmp_path):
    from needs.models import Consent

    storage = Consent._meta.get_field("form_file").storage
    kwargs = {"beneficiary": draft.beneficiary, "by": caseworker, "given_by": "本人", "by_guardian": False}
    until = date.today() + timedelta(days=30)
    with pytest.raises(ConsentInvalid):
        services.consent_record(method="signed_form", valid_until=until, **kwargs)
    upload = SimpleUploadedFile("同意书.pdf", demo_pdf("Consent"), content_type="application/pdf")
    upload.checked = check_upload(upload)
    consent = services.consent_record(method="signed_form", valid_until=until, form_file=upload, **kwargs)
    assert consent.form_file.name.startswith(f"consent/{draft.beneficiary_id}/")
    assert "同意书" not in consent.form_file.name
    storage.delete(consent.form_file.name)


def test_consent_in_the_past_or_from_nobody_is_refused(draft, caseworker, other_caseworker):
    base = {"beneficiary": draft.beneficiary, "by_guardian": False, "method": "in_person"}
    with pytest.raises(ConsentInvalid):
        services.consent_record(by=caseworker, given_by="本人", valid_until=date.today(), **base)
    with pytest.raises(ConsentInvalid):
        services.consent_record(by=caseworker, given_by=" ", valid_until=date.today() + timedelta(days=3), **base)
    from needs.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        services.consent_record(
            by=other_caseworker, given_by="本人", valid_until=date.today() + timedelta(days=3), **base
        )


def test_the_duplicate_warning_names_the_other_need_and_links_it_only_for_who_may_open_it(
    client_for, draft, elsewhere, caseworker, auditor
):
    """Issue 20, item 15: "同一受助对象的其他未办结需求 · 大邑县民政局 · 已发布" did not say which need."""
    from django.urls import reverse

    from needs.selectors import duplicates_for

    assert [(d.reference, d.pk) for d in duplicates_for(caseworker, draft)] == [(elsewhere.reference, None)]
    assert [(d.reference, d.pk) for d in duplicates_for(auditor, draft)] == [(elsewhere.reference, elsewhere.pk)]
    link = f'<a href="{reverse("needs:detail", args=[elsewhere.pk])}">{elsewhere.reference}</a>'
    page = client_for(caseworker).get(reverse("needs:detail", args=[draft.pk])).content.decode()
    assert f"{elsewhere.reference} · {elsewhere.agency.name}" in page and link not in page
    page = client_for(auditor).get(reverse("needs:detail", args=[draft.pk])).content.decode()
    assert link in page
