"""The work views as every persona: those allowed succeed, the others get a 404 (not a
party) or a 403 (a party without the role) and nothing changes; the anonymous are sent
to log in. Another agency's and another organisation's staff learn nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contracts import ledger, services
from contracts.models import (
    Confirmation,
    ContractEvent,
    ContractState,
    Evaluation,
    EvidenceFile,
    FinalReport,
    JournalEntry,
    MilestoneState,
    Payment,
    PaymentState,
    ServiceRecord,
)
from tests.contracts.helpers import PDF, deliver, milestones, pdf
from tests.factories import PERSONAS
from tests.vetting import hostile_pdfs

VIEWERS = {"caseworker", "approver", "agency_admin", "charity_admin", "charity_member", "auditor", "superuser"}
PARTIES = VIEWERS - {"auditor", "superuser"}
FILE_READERS = PARTIES | {"auditor"}  # auditors check payments against their proof
ORGANISATION = {"charity_admin", "charity_member"}
ACCEPTOR = {"approver"}  # an approver of the agency who did not prepare the contract (the caseworker did)


@pytest.fixture
def people(world, signed, finance, second_finance):
    return {**{name: world.persona(name) for name in PERSONAS}, "finance": finance, "second_finance": second_finance}


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def snapshot(contract) -> tuple:
    contract.refresh_from_db()
    return (
        contract.state,
        ServiceRecord.objects.filter(milestone__contract=contract).count(),
        EvidenceFile.objects.filter(milestone__contract=contract).count(),
        list(Confirmation.objects.values_list("pk", "failures", "used_at", "resolution", "expires_at")),
        list(Payment.objects.values_list("pk", "state")),
        JournalEntry.objects.filter(contract=contract).count(),
        ContractEvent.objects.filter(contract=contract).count(),
        list(contract.milestones.values_list("pk", "state", "accepted_amount", "paid_amount")),
        FinalReport.objects.filter(contract=contract).count(),
        Evaluation.objects.filter(contract=contract).count(),
    )


def main_part(content: bytes) -> bytes:
    """The page's own content (the header echoes the path for the language switch)."""
    return re.search(rb"<main.*</main>", content, re.S)[0]


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def upload(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def refused_status(name: str, viewers: set[str]) -> int | None:
    """What a persona outside the allowed set gets: None for the login redirect."""
    if name == "anonymous":
        return None
    return 403 if name in viewers else 404


def assert_refused(response, expected) -> None:
    if expected is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.status_code


def check_refusals(people, contract, url, *, allowed, data=None, method="post", viewers=VIEWERS, files=None):
    """Everyone outside ``allowed`` is refused and nothing changes."""
    before = snapshot(contract)
    for name in PERSONAS:
        if name in allowed:
            continue
        client = client_as(people[name])
        payload = dict(data or {})
        for key, make in (files or {}).items():
            payload[key] = make()
        response = client.post(url, payload) if method == "post" else client.get(url)
        assert_refused(response, refused_status(name, viewers))
        assert contract.number.encode() not in response.content or name in viewers
        assert snapshot(contract) == before, name


# --- States of the contract ---------------------------------------------------------


def first_milestone(contract):
    return milestones(contract)[0]


def submitted(contract, people):
    first = first_milestone(contract)
    deliver(first, people["charity_member"])
    return first


def accepted(contract, people):
    first = submitted(contract, people)
    return services.milestone_accept(milestone=first, by=people["approver"])


def recorded(contract, people):
    first = accepted(contract, people)
    proof, checked = pdf()
    return services.payment_record(
        milestone=first,
        by=people["finance"],
        amount=Decimal("1000"),
        paid_on=timezone.localdate(),
        reference="GK-WV-1",
        proof=proof,
        checked=checked,
    )


def completed(contract, people):
    for milestone in milestones(contract):
        deliver(milestone, people["charity_member"])
        services.milestone_accept(milestone=milestone, by=people["approver"])
    contract.refresh_from_db()
    assert contract.state == ContractState.COMPLETED
    return contract


def m_url(name, contract, milestone, *extra):
    return reverse(f"contracts:{name}", args=[contract.pk, milestone.pk, *extra])


# --- The milestone page -------------------------------------------------------------


def test_the_milestone_page_for_every_persona(people, signed):
    first = first_milestone(signed)
    url = m_url("milestone", signed, first)
    for name in PERSONAS:
        response = client_as(people[name]).get(url)
        if name in VIEWERS:
            assert response.status_code == 200, name
            assert "第1阶段服务".encode() in response.content
        else:
            assert_refused(response, None if name == "anonymous" else 404)
            assert "第1阶段服务".encode() not in response.content


def test_the_page_shows_each_role_only_its_own_forms(people, signed):
    first = first_milestone(signed)
    url = m_url("milestone", signed, first)
    member = client_as(people["charity_member"]).get(url).content.decode()
    assert 'data-testid="record-form"' in member and 'data-testid="confirmation-form"' in member
    assert 'data-testid="accept-form"' not in member
    deliver(first, people["charity_member"])
    acceptor = client_as(people["approver"]).get(url).content.decode()
    assert 'data-testid="accept-form"' in acceptor and 'data-testid="return-form"' in acceptor
    assert 'data-testid="record-form"' not in acceptor
    preparer = client_as(people["caseworker"]).get(url).content.decode()
    assert 'data-testid="accept-form"' not in preparer
    auditor = client_as(people["auditor"]).get(url).content.decode()
    assert "<form" not in auditor.split("<main")[1].split("</main>")[0]


def test_other_agencies_and_organisations_learn_nothing(people, signed):
    first = first_milestone(signed)
    for name in ("other_caseworker", "unvetted_member", "outsider", "vetting_officer"):
        client = client_as(people[name])
        real = client.get(m_url("milestone", signed, first))
        missing = client.get(reverse("contracts:milestone", args=[signed.pk + 1000, first.pk]))
        assert real.status_code == missing.status_code == 404
        assert signed.number.encode() not in real.content
        assert main_part(real.content) == main_part(missing.content)


def test_a_milestone_of_another_contract_is_not_found(people, signed):
    first = first_milestone(signed)
    response = client_as(people["charity_member"]).get(reverse("contracts:milestone", args=[signed.pk, first.pk + 99]))
    assert response.status_code == 404


# --- Evidence and submission --------------------------------------------------------


RECORD = {"date": "", "hours": "2", "worker": "王社工", "activity": "上门助餐", "notes": "按计划完成"}


def record_data():
    return {**RECORD, "date": timezone.localdate().isoformat()}


def test_record_add(people, signed):
    first = first_milestone(signed)
    url = m_url("record_add", signed, first)
    check_refusals(people, signed, url, allowed=ORGANISATION, data=record_data())
    response = client_as(people["charity_member"]).post(url, record_data())
    assert response.status_code == 302
    assert ServiceRecord.objects.filter(milestone=first, worker="王社工").count() == 1


def test_bad_record_is_refused_with_a_message(people, signed):
    first = first_milestone(signed)
    client = client_as(people["charity_member"])
    future = {**record_data(), "date": (timezone.localdate() + timezone.timedelta(days=3)).isoformat()}
    for data in ({**record_data(), "hours": "30"}, {**record_data(), "worker": ""}, future):
        response = client.post(m_url("record_add", signed, first), data, follow=True)
        assert response.status_code == 200
        assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not ServiceRecord.objects.exists()


def test_file_add_and_download(people, signed):
    first = first_milestone(signed)
    url = m_url("file_add", signed, first)
    check_refusals(people, signed, url, allowed=ORGANISATION, files={"file": upload})
    response = client_as(people["charity_admin"]).post(url, {"file": upload()})
    assert response.status_code == 302
    item = EvidenceFile.objects.get(milestone=first)
    download = m_url("file", signed, first, item.pk)
    for name in PERSONAS:
        response = client_as(people[name]).get(download)
        if name in FILE_READERS:
            assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
            assert response["Cache-Control"] == "private, no-store"
        else:
            assert_refused(response, None if name == "anonymous" else 404)


def test_a_file_that_is_not_a_document_is_refused(people, signed):
    first = first_milestone(signed)
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_as(people["charity_member"]).post(m_url("file_add", signed, first), {"file": fake}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not EvidenceFile.objects.exists()


def test_submit(people, signed):
    first = first_milestone(signed)
    url = m_url("submit", signed, first)
    response = client_as(people["charity_member"]).post(url, follow=True)  # nothing recorded yet
    assert any(m.level_tag == "error" for m in response.context["messages"])
    services.evidence_record_add(
        milestone=first,
        by=people["charity_member"],
        data={"date": timezone.localdate(), "hours": Decimal("1"), "worker": "王", "activity": "探访", "notes": ""},
    )
    check_refusals(people, signed, url, allowed=ORGANISATION)
    assert client_as(people["charity_admin"]).post(url).status_code == 302
    first.refresh_from_db()
    assert first.state == MilestoneState.SUBMITTED


# --- Confirmation links -------------------------------------------------------------


def test_confirmation_new_shows_the_card_once(people, signed, django_capture_on_commit_callbacks):
    first = first_milestone(signed)
    url = m_url("confirmation_new", signed, first)
    check_refusals(people, signed, url, allowed=ORGANISATION)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(people["charity_member"]).post(url, {"email": "person@example.test"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"
    code = response.context["code"]
    link = response.context["link"]
    assert len(code) == 6 and code.isdigit()
    assert "/c/" in link and code.encode() in response.content and link.encode() in response.content
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert services.confirmation_for(token) is not None
    # Emailed (address not kept), and never shown again.
    assert len(mail.outbox) == 1 and code in mail.outbox[0].body and link in mail.outbox[0].body
    assert signed.organisation.legal_name in mail.outbox[0].subject
    page = client_as(people["charity_member"]).get(m_url("milestone", signed, first)).content.decode()
    assert code not in page and token not in page
    assert "person@example.test" not in str(list(Confirmation.objects.values()))


def test_no_confirmation_once_accepted(people, signed):
    first = first_milestone(signed)
    deliver(first, people["charity_member"])
    services.milestone_accept(milestone=first, by=people["approver"])
    response = client_as(people["charity_member"]).post(m_url("confirmation_new", signed, first), follow=True)
    assert response.status_code == 200 and "code" not in response.context
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Confirmation.objects.count() == 1  # only the one answered before acceptance


# --- Disputes, acceptance, return ---------------------------------------------------


def disputed(contract, people):
    first = first_milestone(contract)
    confirmation, token, code = services.confirmation_create(milestone=first, by=people["charity_member"])
    services.confirmation_answer(token=token, code=code, outcome="disputed", rating=None, note="上周没有人来")
    deliver(first, people["charity_member"])
    confirmation.refresh_from_db()
    return first, confirmation


def test_dispute_resolve(people, signed):
    first, confirmation = disputed(signed, people)
    url = m_url("dispute_resolve", signed, first, confirmation.pk)
    data = {"resolution": "dismissed", "note": "核实服务记录属实"}
    check_refusals(people, signed, url, allowed=ACCEPTOR, data=data)
    page = client_as(people["approver"]).get(m_url("milestone", signed, first)).content.decode()
    assert 'data-testid="resolve-form"' in page and "上周没有人来" in page
    bad = client_as(people["approver"]).post(url, {"resolution": "dismissed", "note": ""}, follow=True)
    assert any(m.level_tag == "error" for m in bad.context["messages"])
    assert client_as(people["approver"]).post(url, data).status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.resolution == "dismissed"


def test_accept(people, signed):
    first = submitted(signed, people)
    url = m_url("accept", signed, first)
    check_refusals(people, signed, url, allowed=ACCEPTOR)
    assert client_as(people["approver"]).post(url).status_code == 302
    first.refresh_from_db()
    assert first.state == MilestoneState.ACCEPTED and first.payment_due
    # Twice: a message, nothing more.
    again = client_as(people["approver"]).post(url, follow=True)
    assert any(m.level_tag == "error" for m in again.context["messages"])
    assert JournalEntry.objects.filter(kind="acceptance").count() == 1


def test_the_preparer_is_refused_for_separation_of_duties(people, signed, county_agency):
    from accounts.models import Membership, Role

    first = submitted(signed, people)
    preparer = people["caseworker"]
    Membership.objects.create(user=preparer, role=Role.AGENCY_APPROVER, agency=county_agency)
    response = client_as(preparer).post(m_url("accept", signed, first))
    assert response.status_code == 403
    first.refresh_from_db()
    assert first.state == MilestoneState.SUBMITTED


def test_return(people, signed):
    first = submitted(signed, people)
    url = m_url("return", signed, first)
    data = {"reason": "缺少服务照片"}
    check_refusals(people, signed, url, allowed=ACCEPTOR, data=data)
    bad = client_as(people["approver"]).post(url, {"reason": ""}, follow=True)
    assert any(m.level_tag == "error" for m in bad.context["messages"])
    assert client_as(people["approver"]).post(url, data).status_code == 302
    first.refresh_from_db()
    assert first.state == MilestoneState.RETURNED and first.state_reason == "缺少服务照片"
    page = client_as(people["charity_member"]).get(m_url("milestone", signed, first)).content.decode()
    assert "缺少服务照片" in page


# --- Payments -----------------------------------------------------------------------


def payment_data(reference="GK-WV-9", amount="1800.00"):
    return {"amount": amount, "paid_on": timezone.localdate().isoformat(), "reference": reference}


def test_payment_record(people, signed):
    first = accepted(signed, people)
    url = m_url("payment_record", signed, first)
    check_refusals(people, signed, url, allowed=set(), data=payment_data(), files={"proof": upload})
    finance = client_as(people["finance"])
    page = finance.get(m_url("milestone", signed, first)).content.decode()
    assert 'data-testid="payment-form"' in page
    no_proof = finance.post(url, payment_data(), follow=True)
    assert any(m.level_tag == "error" for m in no_proof.context["messages"])
    too_much = finance.post(url, {**payment_data(amount="1800.01"), "proof": upload()}, follow=True)
    assert any(m.level_tag == "error" for m in too_much.context["messages"])
    assert not Payment.objects.exists()
    assert finance.post(url, {**payment_data(), "proof": upload()}).status_code == 302
    assert Payment.objects.get().state == PaymentState.RECORDED


def test_payment_authorise(people, signed):
    payment = recorded(signed, people)
    url = reverse("contracts:payment_authorise", args=[signed.pk, payment.pk])
    check_refusals(people, signed, url, allowed=set())
    assert client_as(people["finance"]).post(url).status_code == 403  # the recorder: four eyes
    page = client_as(people["second_finance"]).get(m_url("milestone", signed, payment.milestone)).content.decode()
    assert 'data-testid="authorise-form"' in page
    assert client_as(people["second_finance"]).post(url).status_code == 302
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED
    assert ledger.check(signed) == []


def test_payment_reject(people, signed):
    payment = recorded(signed, people)
    url = reverse("contracts:payment_reject", args=[signed.pk, payment.pk])
    check_refusals(people, signed, url, allowed=set(), data={"reason": "凭证不清晰"})
    bad = client_as(people["second_finance"]).post(url, {"reason": ""}, follow=True)
    assert any(m.level_tag == "error" for m in bad.context["messages"])
    assert client_as(people["second_finance"]).post(url, {"reason": "凭证不清晰"}).status_code == 302
    payment.refresh_from_db()
    assert payment.state == PaymentState.REJECTED


def test_payment_proof(people, signed):
    payment = recorded(signed, people)
    url = reverse("contracts:payment_proof", args=[signed.pk, payment.pk])
    for name in PERSONAS:
        response = client_as(people[name]).get(url)
        if name in FILE_READERS:
            assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
        else:
            assert_refused(response, None if name == "anonymous" else 404)


def test_a_payment_of_another_contract_is_not_found(people, signed):
    payment = recorded(signed, people)
    response = client_as(people["second_finance"]).post(
        reverse("contracts:payment_authorise", args=[signed.pk + 1, payment.pk])
    )
    assert response.status_code == 404


def test_overdue_is_shown(people, signed):
    first = accepted(signed, people)
    type(first).objects.filter(pk=first.pk).update(payment_due=timezone.localdate() - timezone.timedelta(days=1))
    page = client_as(people["finance"]).get(m_url("milestone", signed, first)).content.decode()
    assert 'data-testid="overdue"' in page


# --- The journal --------------------------------------------------------------------


def test_the_ledger_page(people, signed):
    payment = recorded(signed, people)
    services.payment_authorise(payment=payment, by=people["second_finance"])
    url = reverse("contracts:ledger", args=[signed.pk])
    for name in PERSONAS:
        response = client_as(people[name]).get(url)
        if name in VIEWERS:
            assert response.status_code == 200 and b'data-testid="ledger-ok"' in response.content
            assert response.content.count(b'data-testid="entry"') == 3  # commitment, acceptance, payment
        else:
            assert_refused(response, None if name == "anonymous" else 404)
    assert b'data-testid="reverse-form"' in client_as(people["finance"]).get(url).content


def test_reverse(people, signed):
    payment = recorded(signed, people)
    services.payment_authorise(payment=payment, by=people["second_finance"])
    entry = JournalEntry.objects.get(kind="payment")
    url = reverse("contracts:reverse", args=[signed.pk, entry.pk])
    check_refusals(people, signed, url, allowed=set(), data={"reason": "国库退回"})
    bad = client_as(people["finance"]).post(url, {"reason": ""}, follow=True)
    assert any(m.level_tag == "error" for m in bad.context["messages"])
    assert client_as(people["finance"]).post(url, {"reason": "国库退回，账号有误"}).status_code == 302
    payment.refresh_from_db()
    assert payment.state == PaymentState.REVERSED and ledger.check(signed) == []
    page = client_as(people["auditor"]).get(reverse("contracts:ledger", args=[signed.pk])).content.decode()
    assert "国库退回，账号有误" in page and f"#{entry.pk}" in page


# --- Evaluation, final report, closing ----------------------------------------------


def evaluation_data(contract):
    data = {"summary": "服务良好，按时完成"}
    for indicator in services.current_version(contract).indicators.all():
        data[f"score_{indicator.pk}"] = "4"
        data[f"notes_{indicator.pk}"] = ""
    return data


def test_evaluate(people, signed):
    completed(signed, people)
    url = reverse("contracts:evaluate", args=[signed.pk])
    for name in PERSONAS:
        if name not in ACCEPTOR:
            assert_refused(client_as(people[name]).get(url), refused_status(name, VIEWERS))
    check_refusals(people, signed, url, allowed=ACCEPTOR, data=evaluation_data(signed))
    approver = client_as(people["approver"])
    page = approver.get(url)
    assert page.status_code == 200 and b'data-testid="evaluate-form"' in page.content
    bad = approver.post(url, {**evaluation_data(signed), "summary": ""})
    assert bad.status_code == 200 and not Evaluation.objects.exists()
    assert approver.post(url, evaluation_data(signed)).status_code == 302
    assert Evaluation.objects.get(contract=signed).score == Decimal("4.00")
    assert b'data-testid="evaluation"' in approver.get(url).content


def test_evaluation_waits_for_completion(people, signed):
    response = client_as(people["approver"]).post(
        reverse("contracts:evaluate", args=[signed.pk]), evaluation_data(signed)
    )
    assert response.status_code == 200 and not Evaluation.objects.exists()


def test_report_upload_and_download(people, signed):
    url = reverse("contracts:report", args=[signed.pk])
    early = client_as(people["charity_member"]).post(url, {"file": upload("final.pdf")})
    assert early.status_code == 200 and not FinalReport.objects.exists()  # not completed yet: a message
    completed(signed, people)
    viewers_not_parties = FILE_READERS  # superusers are neither parties nor auditors: 404
    check_refusals(
        people,
        signed,
        url,
        allowed=ORGANISATION,
        files={"file": lambda: upload("final.pdf")},
        viewers=viewers_not_parties,
    )
    assert client_as(people["charity_member"]).post(url, {"file": upload("final.pdf")}).status_code == 302
    assert FinalReport.objects.filter(contract=signed).count() == 1
    for name in PERSONAS:
        response = client_as(people[name]).get(url)
        if name in FILE_READERS:
            assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
        else:
            assert_refused(response, None if name == "anonymous" else 404)


def test_close(people, signed):
    completed(signed, people)
    url = reverse("contracts:close", args=[signed.pk])
    refused = client_as(people["approver"]).post(url)
    assert refused.status_code == 302
    assert len(error_messages(refused)) >= 4  # the refusal and its problems
    signed.refresh_from_db()
    assert signed.state == ContractState.COMPLETED
    for i, milestone in enumerate(milestones(signed)):
        payment = services.payment_record(
            milestone=milestone,
            by=people["finance"],
            amount=Decimal("1800"),
            paid_on=timezone.localdate(),
            reference=f"C{i}",
        )
        services.payment_authorise(payment=payment, by=people["second_finance"])
    indicators = services.current_version(signed).indicators.all()
    services.contract_evaluate(
        contract=signed, by=people["approver"], scores={i.pk: (5, "") for i in indicators}, summary="服务很好，按时完成"
    )
    report, checked = pdf("final.pdf")
    services.final_report_upload(contract=signed, by=people["charity_member"], upload=report, checked=checked)
    check_refusals(people, signed, url, allowed=ACCEPTOR)
    assert client_as(people["approver"]).post(url).status_code == 302
    signed.refresh_from_db()
    assert signed.state == ContractState.CLOSED


# --- Active content in uploaded files (issue 17) -------------------------------------

HOSTILE = [
    pytest.param(hostile_pdfs.document_javascript, "contains JavaScript", id="javascript"),
    pytest.param(hostile_pdfs.open_action, "runs an action when it is opened", id="open-action"),
    pytest.param(hostile_pdfs.annotation_launch, "can start a program", id="launch"),
    pytest.param(hostile_pdfs.embedded_file, "other files attached inside it", id="embedded-file"),
    pytest.param(hostile_pdfs.xfa_form, "contains an XFA form", id="xfa"),
    pytest.param(hostile_pdfs.javascript_in_object_stream, "contains JavaScript", id="object-stream"),
    pytest.param(lambda: hostile_pdfs.encrypted(user_password="1234"), "protected by a password", id="password"),
]


@pytest.fixture
def private_root(tmp_path, monkeypatch):
    """The contract's files go to a folder of this test, so that nothing left behind hides."""
    root = tmp_path / "private"
    storage = FileSystemStorage(location=root, base_url=None)
    for model, field in ((EvidenceFile, "file"), (Payment, "proof"), (FinalReport, "file")):
        monkeypatch.setattr(model._meta.get_field(field), "storage", storage)
    return root


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def hostile_upload(make) -> SimpleUploadedFile:
    return SimpleUploadedFile("服务记录.pdf", make(), content_type="application/pdf")


def english_url(name, *args) -> str:
    with translation.override("en"):
        return reverse(f"contracts:{name}", args=args)


@pytest.mark.parametrize(("make", "message"), HOSTILE)
def test_evidence_with_active_content_is_refused_and_changes_nothing(people, signed, private_root, make, message):
    first = first_milestone(signed)
    before = snapshot(signed)

    url = english_url("file_add", signed.pk, first.pk)
    response = client_as(people["charity_member"]).post(url, {"file": hostile_upload(make)}, follow=True)

    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert any(message in error for error in errors), errors
    assert snapshot(signed) == before
    assert stored_files(private_root) == []


@pytest.mark.parametrize(("make", "message"), HOSTILE[:3])
def test_a_payment_proof_with_active_content_is_refused(people, signed, private_root, make, message):
    first = accepted(signed, people)
    before = snapshot(signed)

    url = english_url("payment_record", signed.pk, first.pk)
    data = {**payment_data(), "proof": hostile_upload(make)}
    response = client_as(people["finance"]).post(url, data, follow=True)

    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert any(message in error for error in errors), errors
    assert snapshot(signed) == before
    assert stored_files(private_root) == []


@pytest.mark.parametrize(("make", "message"), HOSTILE[:3])
def test_a_final_report_with_active_content_is_refused(people, signed, private_root, make, message):
    completed(signed, people)
    before = snapshot(signed)

    response = client_as(people["charity_admin"]).post(english_url("report", signed.pk), {"file": hostile_upload(make)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(signed) == before
    assert stored_files(private_root) == []


def test_a_clean_pdf_with_a_web_link_is_still_accepted_as_evidence(people, signed, private_root):
    first = first_milestone(signed)
    upload = SimpleUploadedFile("服务记录.pdf", hostile_pdfs.links_and_open_at_first_page(), "application/pdf")

    response = client_as(people["charity_member"]).post(m_url("file_add", signed, first), {"file": upload})

    assert response.status_code == 302
    item = EvidenceFile.objects.get(milestone=first)
    assert stored_files(private_root) == [private_root / item.file.name]
