"""A contract's terms and schedule as the caseworker drafts them, signing by both sides,
and a milestone delivered by the charity's member: the steps of
tests/contracts/test_lifecycle.py, for every test that needs a contract."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership
from contracts import services
from contracts.models import Contract
from tests.factories import UserFactory
from tests.vetting.corpus import minimal_pdf
from vetting.uploads import check_upload


def staff(agency, role: str, email: str):
    user = UserFactory(email=email, mfa=True)
    Membership.objects.create(user=user, role=role, agency=agency)
    return user


def terms(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "content_scope": "为一位独居老人提供每周两次上门助餐与居家照护服务。",
        "term_start": today,
        "term_end": today + timedelta(days=180),
        "quantity": "每周两次，共 48 次上门服务",
        "quality_standards": "按《养老机构服务质量基本规范》执行",
        "price": Decimal("3600.00"),
        "settlement_method": "按里程碑验收后支付",
        "payment_days": 30,
        "rights_obligations": "甲方按期验收付款；乙方按计划提供服务并保存服务记录。",
        "breach_liability": "乙方未按约提供服务的，甲方可扣减相应费用。",
        "long_term_justification": "",
    }
    data.update(overrides)
    return data


def schedule(*amounts: str, service: bool = True) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "description": f"第{i + 1}阶段服务",
            "due_date": today + timedelta(days=30 * (i + 1)),
            "amount": Decimal(amount),
            "deliverables": "服务记录与照片",
            "evidence_required": "服务记录",
            "service": service,
        }
        for i, amount in enumerate(amounts)
    ]


INDICATORS = [{"name": "服务按时完成率", "target": "≥ 95%"}, {"name": "服务对象满意度", "target": "≥ 4 分"}]


def draft(need, by, *, amounts=("1800", "1800"), **overrides) -> Contract:
    return services.contract_draft(
        need=need, by=by, data=terms(**overrides), milestones=schedule(*amounts), indicators=INDICATORS
    )


def sign(contract, approver, charity_admin) -> Contract:
    services.contract_send(contract=contract, by=approver)
    services.contract_sign(contract=contract, by=charity_admin, side="organisation")
    services.contract_sign(contract=contract, by=approver, side="agency")
    contract.refresh_from_db()
    return contract


# A real PDF: the upload check parses it.
PDF = minimal_pdf()


def pdf(name="proof.pdf"):
    upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    return upload, check_upload(upload)


def milestones(contract):
    return [t.milestone for t in services.schedule(services.current_version(contract))]


def beneficiary_confirms(milestone, member) -> None:
    _, token, code = services.confirmation_create(milestone=milestone, by=member)
    services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=None, note="")


def deliver(milestone, member, *, confirmed: bool = True):
    """Evidence recorded and the milestone submitted; by default the person served has
    confirmed a service milestone too, as its acceptance requires."""
    if confirmed and services.terms_of(milestone).service:
        beneficiary_confirms(milestone, member)
    services.evidence_record_add(
        milestone=milestone,
        by=member,
        data={
            "date": timezone.localdate(),
            "hours": Decimal("2"),
            "worker": "王社工",
            "activity": "上门助餐",
            "notes": "",
        },
    )
    return services.milestone_submit(milestone=milestone, by=member)
