"""The contract's own pages: drafting, signing after re-authentication, the public
summary, versions and their differences, the document and its PDF, and who sees what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractState, VersionState
from tests.contracts.helpers import draft, terms
from tests.factories import PERSONAS
from tests.needs.helpers import publish

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]


def form_data(need, *, price="3600.00", amounts=("1800.00", "1800.00"), **overrides) -> dict:
    today = timezone.localdate()
    data = {
        **{k: str(v) for k, v in terms(price=Decimal(price), **overrides).items()},
        "m-TOTAL_FORMS": str(len(amounts) + 1),
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
        "i-TOTAL_FORMS": "2",
        "i-INITIAL_FORMS": "2",
        "i-MIN_NUM_FORMS": "0",
        "i-MAX_NUM_FORMS": "1000",
        "i-0-name": "服务按时完成率",
        "i-0-target": "≥ 95%",
        "i-1-name": "服务对象满意度",
        "i-1-target": "≥ 4 分",
    }
    for i, amount in enumerate(amounts):
        data.update(
            {
                f"m-{i}-description": f"第{i + 1}阶段",
                f"m-{i}-due_date": str(today + timedelta(days=30 * (i + 1))),
                f"m-{i}-amount": amount,
                f"m-{i}-deliverables": "服务记录",
                f"m-{i}-evidence_required": "服务记录与回访",
                f"m-{i}-service": "on",
            }
        )
    return data


def test_the_caseworker_drafts_from_the_need_page(client_for, caseworker, claimed_need):
    client = client_for(caseworker)
    page = client.get(reverse("needs:detail", args=[claimed_need.pk]))
    assert b'data-testid="draft-contract"' in page.content
    form = client.get(reverse("contracts:new", args=[claimed_need.pk]))
    assert form.status_code == 200 and "第" not in form.context["form"].initial.get("quantity", "")
    response = client.post(reverse("contracts:new", args=[claimed_need.pk]), form_data(claimed_need))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response.url == reverse("contracts:detail", args=[contract.pk])
    assert [t.amount for t in services.schedule(services.open_version(contract))] == [Decimal("1800")] * 2


def test_a_schedule_that_does_not_add_up_is_shown_before_sending(client_for, caseworker, approver, claimed_need):
    client_for(caseworker).post(
        reverse("contracts:new", args=[claimed_need.pk]), form_data(claimed_need, amounts=("1800.00", "1000.00"))
    )
    contract = Contract.objects.get()
    client = client_for(approver)
    page = client.get(reverse("contracts:detail", args=[contract.pk]))
    assert "2,800.00" in page.content.decode() and b'data-testid="terms-problems"' in page.content
    response = client.post(reverse("contracts:send", args=[contract.pk]), follow=True)
    assert "2,800.00" in response.content.decode()
    assert services.open_version(contract).state == VersionState.DRAFT


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", "-1"), ("price", "abc"), ("term_end", "2020-01-01"), ("payment_days", "61"), ("payment_days", "0")],
)
def test_bad_terms_change_nothing(client_for, caseworker, claimed_need, field, value):
    data = form_data(claimed_need)
    data[field] = value
    response = client_for(caseworker).post(reverse("contracts:new", args=[claimed_need.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Contract.objects.exists()


def test_signing_asks_for_the_password_again(client_for, claimed_need, caseworker, approver, charity_admin):
    contract = draft(claimed_need, caseworker)
    services.contract_send(contract=contract, by=approver)
    client = client_for(charity_admin, reauthenticated=False)
    response = client.get(reverse("contracts:sign", args=[contract.pk]))
    assert response.status_code == 302 and "reauthenticate" in response.url
    client = client_for(charity_admin)
    page = client.get(reverse("contracts:sign", args=[contract.pk]))
    assert b'data-testid="sign-organisation"' in page.content and b'data-testid="sign-agency"' not in page.content
    client.post(reverse("contracts:sign", args=[contract.pk]), {"side": "organisation"})
    assert services.open_version(contract).organisation_signed_by == charity_admin
    # A member may not sign for the agency by asking for it.
    response = client.post(reverse("contracts:sign", args=[contract.pk]), {"side": "agency"})
    assert response.status_code == 403
    client = client_for(approver)
    client.post(reverse("contracts:sign", args=[contract.pk]), {"side": "agency"})
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE


@pytest.fixture
def signed_contract(claimed_need, caseworker, approver, charity_admin):
    contract = draft(claimed_need, caseworker)
    services.contract_send(contract=contract, by=approver)
    services.contract_sign(contract=contract, by=charity_admin, side="organisation")
    services.contract_sign(contract=contract, by=approver, side="agency")
    contract.refresh_from_db()
    return contract


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_whole_contract(request, client, client_for, signed_contract, persona):
    client = client if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    whole = persona in {
        "caseworker",
        "approver",
        "agency_admin",
        "charity_admin",
        "charity_member",
        "auditor",
        "superuser",
    }
    page = client.get(reverse("contracts:detail", args=[signed_contract.pk]))
    assert page.status_code == 200
    assert (b'data-testid="terms"' in page.content) is whole
    assert (b'data-testid="register-summary"' in page.content) is not whole
    name = signed_contract.need.beneficiary.name
    assert name not in page.content.decode()
    for view in ("contracts:document", "contracts:version"):
        args = [signed_contract.pk] + ([1] if view == "contracts:version" else [])
        assert client.get(reverse(view, args=args)).status_code == (200 if whole else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_is_nobody_elses_business(request, client, client_for, claimed_need, caseworker, persona):
    contract = draft(claimed_need, caseworker)
    client = client if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    whole = persona in {
        "caseworker",
        "approver",
        "agency_admin",
        "charity_admin",
        "charity_member",
        "auditor",
        "superuser",
    }
    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == (200 if whole else 404)
    register = client.get(reverse("contracts:list"))
    assert contract.number.encode() not in register.content or whole


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_only_the_agency_edits_sends_and_amends(request, client_for, claimed_need, caseworker, persona):
    contract = draft(claimed_need, caseworker)
    client = client_for(request.getfixturevalue(persona))
    allowed = persona in {"caseworker", "approver", "superuser"} and persona != "superuser"
    response = client.post(reverse("contracts:send", args=[contract.pk]))
    state = services.open_version(contract).state
    if allowed:
        assert state == VersionState.SIGNING
    else:
        assert response.status_code in {403, 404} and state == VersionState.DRAFT


def test_an_amendment_shows_what_changed(client_for, signed_contract, caseworker, approver):
    client = client_for(caseworker)
    client.post(reverse("contracts:amend", args=[signed_contract.pk]), {"reason": "服务频次增加"})
    version = services.open_version(signed_contract)
    items = services.schedule(version)
    data = form_data(signed_contract.need, price="3900.00", amounts=())
    data.update({"reason": "服务频次增加", "quantity": "每周三次，共 60 次上门服务", "m-INITIAL_FORMS": "2"})
    data["m-TOTAL_FORMS"] = "2"
    for i, t in enumerate(items):
        data.update(
            {
                f"m-{i}-milestone": str(t.milestone_id),
                f"m-{i}-description": t.description,
                f"m-{i}-due_date": str(t.due_date),
                f"m-{i}-amount": "2100.00" if i == 1 else str(t.amount),
                f"m-{i}-deliverables": t.deliverables,
                f"m-{i}-evidence_required": t.evidence_required,
                f"m-{i}-service": "on",
            }
        )
    response = client.post(reverse("contracts:edit", args=[signed_contract.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    page = client_for(approver).get(reverse("contracts:version", args=[signed_contract.pk, 2]))
    body = page.content.decode()
    assert "<del>两</del><ins>三</ins>" in body and "<del>48</del><ins>60</ins>" in body
    assert "3900" in body and b'data-testid="version-diff"' in page.content


def test_the_document_states_every_element_in_both_languages(client_for, signed_contract, approver):
    client = client_for(approver)
    zh = client.get(reverse("contracts:document", args=[signed_contract.pk])).content.decode()
    assert "政府购买服务合同" in zh or "合同" in zh
    for text in (signed_contract.number, "3600", "按里程碑验收后支付", "服务按时完成率"):
        assert text in zh
    en = client.get("/en" + reverse("contracts:document", args=[signed_contract.pk])).content.decode()
    assert "Liability for breach" in en and signed_contract.number in en


def test_the_pdf_embeds_a_chinese_font(client_for, signed_contract, approver):
    response = client_for(approver).get(reverse("contracts:pdf", args=[signed_contract.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    fonts = b"".join(_streams(response.content))
    assert b"WenQuanYi" in fonts or b"NotoSansCJK" in fonts, "no CJK font embedded: Chinese would print as boxes"


def _streams(pdf: bytes):
    """The PDF's compressed streams, decompressed (the font descriptors live in them)."""
    import re
    import zlib

    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            yield zlib.decompress(match.group(1))
        except zlib.error:
            continue


def test_termination_needs_an_approver_and_a_reason(client_for, signed_contract, caseworker, second_approver):
    assert client_for(caseworker).post(reverse("contracts:terminate", args=[signed_contract.pk]), {}).status_code == 403
    client = client_for(second_approver)
    response = client.post(reverse("contracts:terminate", args=[signed_contract.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    client.post(
        reverse("contracts:terminate", args=[signed_contract.pk]), {"reason": "机构停止运营", "settlement": "0"}
    )
    signed_contract.refresh_from_db()
    assert signed_contract.state == ContractState.TERMINATED


def test_a_contract_for_a_need_not_yet_taken_on(client_for, caseworker, county_agency, approver):
    need = publish(county_agency, caseworker, approver)
    response = client_for(caseworker).get(reverse("contracts:new", args=[need.pk]))
    assert response.status_code == 302 and not Contract.objects.exists()


def test_the_history_reads_as_words_in_both_languages(client_for, signed_contract, approver):
    client = client_for(approver)
    zh = client.get(reverse("contracts:detail", args=[signed_contract.pk])).content.decode()
    assert "机关签署" in zh and "已发送签署" in zh
    assert "sign_agency" not in zh and "in_force" not in zh
    en = client.get("/en" + reverse("contracts:detail", args=[signed_contract.pk])).content.decode()
    assert "Signed for the agency" in en and "sign_agency" not in en


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_agency_opens_the_draft_form(request, client, client_for, claimed_need, persona):
    client = client if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    url = reverse("contracts:new", args=[claimed_need.pk])
    response = client.get(url)
    post = client.post(url, form_data(claimed_need))
    if persona in {"caseworker", "approver"}:
        assert response.status_code == 200 and post.status_code == 302
        assert Contract.objects.count() == 1
    else:
        expected = 302 if persona == "anonymous" else 404  # anonymous: to the sign-in page
        assert (response.status_code, post.status_code) == (expected, expected)
        assert not Contract.objects.exists()


def test_the_contract_list_shows_a_drafts_proposed_price_not_zero(client_for, claimed_need, caseworker):
    """Issue 20, item 16: the list showed 报价 0.00 for a draft whose terms say 3000.00."""
    import re

    contract = draft(claimed_need, caseworker, price=Decimal("3000.00"), amounts=("1000", "2000"))
    assert contract.price == 0  # the price in force: none yet
    page = client_for(caseworker).get(reverse("contracts:list")).content.decode()
    row = re.search(rf"<tr><td><a[^>]*>{contract.number}</a>.*?</tr>", page, re.S).group()
    assert "3000.00" in row and ">0.00<" not in row
