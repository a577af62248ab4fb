"""The demo's contracts, one at each stage (draft, in progress, closed, payment overdue), through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from agencies.models import Agency
from contracts import services as contracts
from contracts.models import Milestone
from needs import services
from needs.models import Need
from organisations.models import Organisation
from vetting.uploads import check_upload
from website.demo_files import demo_pdf
from website.demo_needs import record_demo_need
from website.demo_people import COUNTY

if TYPE_CHECKING:
    from contracts.models import ContractVersion, MilestoneTerms


@dataclass(frozen=True)
class DemoContract:
    title: str
    summary: str
    category: str
    budget: str
    amounts: tuple[str, ...]  # the milestones, adding up to the price
    stage: str  # draft, in_progress, closed or payment_overdue
    person: tuple[str, str]


CONTRACTS = [
    DemoContract(
        "低保边缘家庭学生助学服务",
        "家庭经济困难的高中学生需要学习用品、交通补贴和一学期的学业辅导。",
        "education",
        "3000.00",
        ("3000.00",),
        "draft",
        ("示例己", "51012920080606007"),
    ),
    DemoContract(
        "重病患者出院后陪诊与护理",
        "重病患者出院后需要陪同复诊和居家护理指导，为期两个月。",
        "medical",
        "4000.00",
        ("2000.00", "2000.00"),
        "in_progress",
        ("示例庚", "51012919650707008"),
    ),
    DemoContract(
        "受灾家庭临时生活照料",
        "房屋受损的家庭在重建期间需要临时生活照料和生活物资。",
        "basic_living",
        "3000.00",
        ("1500.00", "1500.00"),
        "closed",
        ("示例辛", "51012919750909009"),
    ),
    DemoContract(
        "化疗期间居家护理服务",
        "化疗期间的患者需要每周两次上门护理和营养指导。",
        "medical",
        "2500.00",
        ("2500.00",),
        "payment_overdue",
        ("示例壬", "51012919601010010"),
    ),
]


def seed_contracts(*, agency: Agency, organisation: Organisation, people) -> None:
    """Contracts at each stage, through the services (the journal, events and audit log
    are real): a draft; one in force with a milestone accepted and paid; one completed,
    evaluated and closed (its need fulfilled); one with a payment past its due date.
    The caseworker drafts, the approver signs, the second approver accepts, one finance
    officer records a payment and the other authorises it; the charity's admin signs and
    its social worker takes the need on and does the work."""
    from datetime import timedelta
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    caseworker, approver = people("caseworker@safetynet.test"), people("approver@safetynet.test")
    approver2 = people("approver2@safetynet.test")
    finance, finance2 = people("finance@safetynet.test"), people("finance2@safetynet.test")
    admin, worker = people("charity.admin@safetynet.test"), people("social.worker@safetynet.test")
    today = timezone.localdate()

    def pdf(name: str):
        upload = SimpleUploadedFile(name, demo_pdf(name), content_type="application/pdf")
        return upload, check_upload(upload)

    def deliver(milestone, when: str):
        if cast(
            "MilestoneTerms", contracts.terms_of(milestone)
        ).service:  # the person served confirms, as the terms require
            _, token, code = contracts.confirmation_create(milestone=milestone, by=worker)
            contracts.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")
        contracts.evidence_record_add(
            milestone=milestone,
            by=worker,
            data={"date": today, "hours": Decimal("3"), "worker": "刘洋", "activity": when, "notes": ""},
        )
        contracts.milestone_submit(milestone=milestone, by=worker)
        return contracts.milestone_accept(milestone=milestone, by=approver2)

    def pay(milestone, reference: str):
        milestone.refresh_from_db()
        payment = contracts.payment_record(
            milestone=milestone, by=finance, amount=milestone.outstanding, paid_on=today, reference=reference
        )
        contracts.payment_authorise(payment=payment, by=finance2)

    for spec in CONTRACTS:
        if Need.objects.filter(agency=agency, title=spec.title).exists():
            continue
        need = record_demo_need(
            agency,
            caseworker,
            card={
                "title": spec.title,
                "summary": spec.summary,
                "category": spec.category,
                "kind": "service",
                "urgency": "routine",
                "region": COUNTY,
                "budget": spec.budget,
                "duration_days": 90,
            },
            person=spec.person,
            flags={"is_minor": spec.person[1][6:10] >= "2008", "severe_illness": spec.category == "medical"},
        )
        services.need_transition(need=need, action="approve", by=approver)
        services.need_transition(need=need, action="publish", by=approver)
        need = services.need_transition(need=need, action="claim", by=worker, organisation=organisation)
        contract = contracts.contract_draft(
            need=need,
            by=caseworker,
            data={
                "content_scope": spec.summary,
                "term_start": today,
                "term_end": today + timedelta(days=120),
                "quantity": "按服务计划提供，每周两次",
                "quality_standards": "按《社会工作服务规范》执行，保存服务记录",
                "price": Decimal(spec.budget),
                "settlement_method": "按里程碑验收后支付",
                "payment_days": 30,
                "rights_obligations": "甲方按期验收付款；乙方按计划提供服务并保存服务记录。",
                "breach_liability": "乙方未按约提供服务的，甲方可扣减相应费用。",
                "long_term_justification": "",
            },
            milestones=[
                {
                    "description": f"第{i + 1}阶段服务",
                    "due_date": today + timedelta(days=45 * (i + 1)),
                    "amount": Decimal(amount),
                    "deliverables": "服务记录与阶段小结",
                    "evidence_required": "服务记录",
                    "service": True,
                }
                for i, amount in enumerate(spec.amounts)
            ],
            indicators=[
                {"name": "服务按时完成率", "target": "≥ 95%"},
                {"name": "服务对象满意度", "target": "≥ 4 分"},
            ],
        )
        if spec.stage == "draft":
            continue
        contracts.contract_send(contract=contract, by=approver)
        contracts.contract_sign(contract=contract, by=admin, side="organisation")
        contracts.contract_sign(contract=contract, by=approver, side="agency")
        contract.refresh_from_db()
        milestones = [
            t.milestone for t in contracts.schedule(cast("ContractVersion", contracts.current_version(contract)))
        ]
        if spec.stage == "in_progress":
            deliver(milestones[0], "陪同复诊")
            pay(milestones[0], f"{contract.number}-01")
        elif spec.stage == "payment_overdue":
            first = deliver(milestones[0], "上门护理")
            # Accepted 40 days ago with 30 days to pay: ten days late now.
            now = timezone.now()
            Milestone.objects.filter(pk=first.pk).update(
                submitted_at=now - timedelta(days=42),
                accepted_at=now - timedelta(days=40),
                payment_due=today - timedelta(days=10),
            )
        elif spec.stage == "closed":
            for i, milestone in enumerate(milestones):
                deliver(milestone, "生活照料")
                pay(milestone, f"{contract.number}-{i + 1:02d}")
            indicators = list(cast("ContractVersion", contracts.current_version(contract)).indicators.all())
            contracts.contract_evaluate(
                contract=contract,
                by=approver,
                scores={indicator.pk: (5 - n % 2, "") for n, indicator in enumerate(indicators)},
                summary="服务按计划完成，服务对象反馈良好。",
            )
            upload, checked = pdf("final-report.pdf")
            contracts.final_report_upload(contract=contract, by=worker, upload=upload, checked=checked)
            contracts.contract_close(contract=contract, by=approver)
