"""The demo's transparency: a year of finished work behind the figures, the two public
pages, two commendations and a snapshot, so that a newcomer opening /transparency/ sees
real figures, charts and the agency timeliness table.

The history is ten needs of 大邑县 taken on by 大邑县仁爱慈善会 over the past year, each
recorded, published, claimed, contracted, delivered, accepted, paid, evaluated and
closed through the same services as everything else — on the days it happened: each
step runs with the clock set to its day (``_on``), so every timestamp, event, journal
entry and audit entry agrees with the story. Some work is accepted slowly and two
payments are late, so the medians, 90th percentiles and on-time shares say something.
Idempotent: the history is recorded once.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, cast
from unittest import mock

from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from cms.models import Commendation, CommendationsPage
from cms.transparency_defaults import ensure_transparency_pages
from contracts import services as contracts
from needs import services
from needs.models import Need
from organisations.models import Organisation
from transparency.services import snapshot_compute
from vetting.uploads import check_upload
from website.demo_files import demo_pdf
from website.demo_needs import record_demo_need

if TYPE_CHECKING:
    from contracts.models import ContractVersion


@dataclass(frozen=True)
class Past:
    title: str
    summary: str
    category: str
    region: str
    price: str
    started: int  # days ago it was published
    claim: int  # days from publication to the claim
    deliver: int  # days from signing to the submission (the milestone is due after 30)
    accept: int  # days from submission to acceptance
    pay: int  # days from acceptance to the treasury payment (due within 30)
    score: int  # the evaluation's score of each indicator


JINYUAN, ANREN, COUNTY = "510129001", "510129105", "510129"

HISTORY = [
    Past(
        "高龄老人冬季助餐",
        "八十岁以上独居老人冬季每日助餐三个月。",
        "elderly_care",
        JINYUAN,
        "3600.00",
        350,
        2,
        26,
        3,
        12,
        5,
    ),
    Past(
        "慢病患者复诊陪同", "慢性病患者每月两次复诊陪同和用药指导。", "medical", ANREN, "2800.00", 320, 5, 28, 9, 41, 4
    ),
    Past(
        "困难学生学业辅导", "初中学生一学期的课业辅导和学习用品。", "education", COUNTY, "2000.00", 290, 1, 24, 2, 8, 5
    ),
    Past(
        "火灾受损家庭生活照料",
        "住房受损家庭过渡期的生活照料与物资。",
        "basic_living",
        JINYUAN,
        "4500.00",
        262,
        3,
        20,
        5,
        15,
        5,
    ),
    Past("暴雨受灾户应急物资", "暴雨后急需的被褥、饮用水和食品。", "emergency", ANREN, "1500.00", 230, 1, 10, 1, 5, 5),
    Past(
        "失能老人居家清洁",
        "失能老人每周一次居家清洁和安全检查。",
        "elderly_care",
        COUNTY,
        "2400.00",
        200,
        4,
        33,
        14,
        36,
        3,
    ),
    Past("术后居家康复指导", "术后患者居家康复训练指导两个月。", "medical", JINYUAN, "3200.00", 170, 6, 27, 4, 20, 4),
    Past(
        "临时困难家庭生活帮扶",
        "突发困难家庭三个月的基本生活帮扶。",
        "basic_living",
        ANREN,
        "3000.00",
        140,
        2,
        22,
        6,
        10,
        5,
    ),
    Past(
        "留守儿童假期学习陪伴", "暑期留守儿童学习陪伴和安全教育。", "education", COUNTY, "1800.00", 118, 3, 25, 3, 9, 4
    ),
    Past(
        "独居老人助浴服务", "行动不便的独居老人每周上门助浴。", "elderly_care", JINYUAN, "2600.00", 96, 2, 21, 2, 6, 5
    ),
]

COMMENDATIONS = [
    (
        "organisation",
        "大邑县仁爱慈善会",
        "一年来承接十余项困难群众服务，均按期交付，服务对象满意度高。",
        "Took on more than ten services for people in hardship over the year, each delivered on time and warmly "
        "rated by the people it served.",
    ),
    (
        "agency",
        "大邑县民政局",
        "验收及时、付款规范，为社会组织参与社会救助创造了良好环境。",
        "Prompt acceptance and orderly payment made it easier for organisations to take part in social assistance.",
    ),
]


@contextmanager
def _on(moment: datetime):
    """Run the services as on ``moment``: every ``timezone.now()`` (``auto_now_add``
    included) reads it."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _seed_history() -> None:
    agency = Agency.objects.filter(name="大邑县民政局").first()
    charity = Organisation.objects.filter(legal_name="大邑县仁爱慈善会").first()
    if agency is None or charity is None or Need.objects.filter(agency=agency, title=HISTORY[0].title).exists():
        return
    people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@safetynet.test")}
    caseworker, approver, approver2 = people["caseworker"], people["approver"], people["approver2"]
    finance, finance2 = people["finance"], people["finance2"]
    admin, worker = people["charity.admin"], people["social.worker"]
    today = timezone.localdate()

    from django.core.files.uploadedfile import SimpleUploadedFile

    for n, past in enumerate(HISTORY):
        published = today - timedelta(days=past.started)
        claimed = published + timedelta(days=past.claim)
        signed = claimed + timedelta(days=1)
        submitted = signed + timedelta(days=past.deliver)
        accepted = submitted + timedelta(days=past.accept)
        paid = accepted + timedelta(days=past.pay)
        assert paid < today, past.title
        with _on(_at(published, 9)):
            need = record_demo_need(
                agency,
                caseworker,
                card={
                    "title": past.title,
                    "summary": past.summary,
                    "category": past.category,
                    "kind": "service",
                    "urgency": "routine",
                    "region": past.region,
                    "budget": past.price,
                    "duration_days": 60,
                },
                # Made up, like every demo person.
                person=(f"往年示例{n + 1:02d}", f"510129{1950 + n}0{n % 9 + 1}15{200 + n}"),
            )
        with _on(_at(published, 11)):
            services.need_transition(need=need, action="approve", by=approver)
            services.need_transition(need=need, action="publish", by=approver)
        with _on(_at(claimed, 15)):
            need = services.need_transition(need=need, action="claim", by=worker, organisation=charity)
        with _on(_at(signed, 9)):
            contract = contracts.contract_draft(
                need=need,
                by=caseworker,
                data={
                    "content_scope": past.summary,
                    "term_start": signed,
                    "term_end": signed + timedelta(days=90),
                    "quantity": "按服务计划提供",
                    "quality_standards": "按《社会工作服务规范》执行，保存服务记录",
                    "price": Decimal(past.price),
                    "settlement_method": "验收后一次性支付",
                    "payment_days": 30,
                    "rights_obligations": "甲方按期验收付款；乙方按计划提供服务并保存服务记录。",
                    "breach_liability": "乙方未按约提供服务的，甲方可扣减相应费用。",
                    "long_term_justification": "",
                },
                milestones=[
                    {
                        "description": "全部服务",
                        "due_date": signed + timedelta(days=30),
                        "amount": Decimal(past.price),
                        "deliverables": "服务记录与总结",
                        "evidence_required": "服务记录",
                        "service": True,
                    }
                ],
                indicators=[
                    {"name": "服务按时完成率", "target": "≥ 95%"},
                    {"name": "服务对象满意度", "target": "≥ 4 分"},
                ],
            )
            contracts.contract_send(contract=contract, by=approver)
        with _on(_at(signed, 14)):
            contracts.contract_sign(contract=contract, by=admin, side="organisation")
            contracts.contract_sign(contract=contract, by=approver, side="agency")
        contract.refresh_from_db()
        milestone = contracts.schedule(cast("ContractVersion", contracts.current_version(contract)))[0].milestone
        with _on(_at(submitted, 16)):
            _, token, code = contracts.confirmation_create(milestone=milestone, by=worker)
            contracts.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")
            contracts.evidence_record_add(
                milestone=milestone,
                by=worker,
                data={"date": submitted, "hours": Decimal("3"), "worker": "刘洋", "activity": "上门服务", "notes": ""},
            )
            contracts.milestone_submit(milestone=milestone, by=worker)
        with _on(_at(accepted, 10)):
            milestone = contracts.milestone_accept(milestone=milestone, by=approver2)
        with _on(_at(paid, 11)):
            milestone.refresh_from_db()
            payment = contracts.payment_record(
                milestone=milestone,
                by=finance,
                amount=milestone.outstanding,
                paid_on=paid,
                reference=f"{contract.number}-01",
            )
            contracts.payment_authorise(payment=payment, by=finance2)
        with _on(_at(paid + timedelta(days=1), 10)):
            indicators = list(cast("ContractVersion", contracts.current_version(contract)).indicators.all())
            contracts.contract_evaluate(
                contract=contract,
                by=approver,
                scores={indicator.pk: (past.score, "") for indicator in indicators},
                summary="服务按计划完成。",
            )
            upload = SimpleUploadedFile("final-report.pdf", demo_pdf("final report"), content_type="application/pdf")
            contracts.final_report_upload(contract=contract, by=worker, upload=upload, checked=check_upload(upload))
            contracts.contract_close(contract=contract, by=approver)


def _seed_commendations() -> None:

    page = CommendationsPage.objects.first()
    if page is None or Commendation.objects.filter(page=page).exists():
        return
    for position, (kind, name, citation, citation_en) in enumerate(COMMENDATIONS):
        target = (
            {"organisation": Organisation.objects.filter(legal_name=name).first()}
            if kind == "organisation"
            else {"agency": Agency.objects.filter(name=name).first()}
        )
        if not any(target.values()):
            continue
        Commendation.objects.create(
            page=page,
            sort_order=position,
            citation=citation,
            citation_en=citation_en,
            date=timezone.localdate() - timedelta(days=20),
            **target,
        )


def seed_transparency() -> None:
    """The history, the pages, the commendations and a fresh snapshot."""

    _seed_history()
    ensure_transparency_pages()
    _seed_commendations()
    snapshot_compute()
