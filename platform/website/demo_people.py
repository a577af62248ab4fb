"""The demo's parties: agencies, organisations and accounts, the pending application's documents and vetting history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from stdnum.cn import uscc as uscc_codes

from accounts.models import Role, User
from organisations.models import Organisation, OrganisationKind, VettingState
from vetting.models import Document, DocumentType, VettingEvent
from website.demo_files import demo_pdf, demo_png

DEMO_PASSWORD = "Safetynet-demo-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
# Fixed, so that approval expiries are the same on every run and every machine.
DEMO_APPROVED_UNTIL = datetime(2027, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
DEMO_VETTED_SINCE = datetime(2026, 11, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

PROVINCE, CITY, COUNTY = "510000", "510100", "510129"
TOWNSHIP_JINYUAN, TOWNSHIP_ANREN = "510129001", "510129105"


@dataclass(frozen=True)
class DemoAgency:
    key: str
    name: str
    region: str
    parent: str | None


AGENCIES = [
    DemoAgency("province", "四川省民政厅", PROVINCE, None),
    DemoAgency("city", "成都市民政局", CITY, "province"),
    DemoAgency("county", "大邑县民政局", COUNTY, "city"),
    DemoAgency("jinyuan", "大邑县晋原街道办事处", TOWNSHIP_JINYUAN, "county"),
    DemoAgency("anren", "大邑县安仁镇人民政府", TOWNSHIP_ANREN, "county"),
]


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    legal_name: str
    kind: str
    state: str
    public_fundraising: bool
    code_body: str  # 17 characters; the check character is computed
    description: str
    serves: tuple[str, ...]
    categories: tuple[str, ...] = ()
    rating: str = ""


ORGANISATIONS = [
    DemoOrganisation(
        "charity",
        "大邑县仁爱慈善会",
        OrganisationKind.CHARITY,
        VettingState.APPROVED,
        True,
        "53510129MJ0000011",
        "面向大邑县困难群众的综合性慈善组织，提供临时生活救助、助学和大病帮扶。",
        (COUNTY,),
        ("basic_living", "medical", "education", "elderly_care", "emergency"),
        "4A",
    ),
    DemoOrganisation(
        "socialwork",
        "大邑县阳光社会工作服务中心",
        OrganisationKind.SOCIAL_WORK,
        VettingState.APPROVED,
        False,
        "52510129MJ0000022",
        "专业社工机构，承接独居老人探访、困境儿童关爱和心理疏导服务。",
        (TOWNSHIP_JINYUAN, TOWNSHIP_ANREN),
        ("elderly_care", "child_care", "psychological"),
        "3A",
    ),
    DemoOrganisation(
        "volunteers",
        "成都市助老志愿服务协会",
        OrganisationKind.OTHER,
        VettingState.APPROVED,
        False,
        "51510100MJ0000033",
        "组织志愿者为高龄、失能老人提供助餐、陪诊服务。",
        (CITY,),
        ("elderly_care", "disability"),
    ),
    DemoOrganisation(
        "pending",
        "大邑县晨曦儿童关爱中心",
        OrganisationKind.SOCIAL_WORK,
        VettingState.SUBMITTED,
        False,
        "52510129MJ0000044",
        "为留守儿童和困境儿童提供课后照料与陪伴（审核中）。",
        (COUNTY,),
        ("child_care", "education"),
    ),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    roles: tuple[tuple[str, str | None], ...]  # (role, agency/organisation key)
    superuser: bool = False
    editor: bool = False


USERS = [
    DemoUser("caseworker@safetynet.test", "王晓梅（经办人）", ((Role.AGENCY_CASEWORKER, "county"),)),
    DemoUser("approver@safetynet.test", "李建国（审核人）", ((Role.AGENCY_APPROVER, "county"),)),
    DemoUser("approver2@safetynet.test", "何志明（第二审核人）", ((Role.AGENCY_APPROVER, "county"),)),
    DemoUser("finance@safetynet.test", "张丽（财务）", ((Role.AGENCY_FINANCE, "county"),)),
    DemoUser("finance2@safetynet.test", "马云霞（复核财务）", ((Role.AGENCY_FINANCE, "county"),)),
    DemoUser("charity.admin@safetynet.test", "陈静（慈善会负责人）", ((Role.ORG_ADMIN, "charity"),)),
    DemoUser("social.worker@safetynet.test", "刘洋（社工）", ((Role.ORG_MEMBER, "charity"),)),
    DemoUser("pending.admin@safetynet.test", "赵敏（待审核机构负责人）", ((Role.ORG_ADMIN, "pending"),)),
    DemoUser("vetting@safetynet.test", "周强（审核专员）", ((Role.VETTING_OFFICER, None),)),
    DemoUser("auditor@safetynet.test", "孙慧（监督）", ((Role.AUDITOR, None),)),
    DemoUser("editor@safetynet.test", "吴芳（内容编辑）", (), editor=True),
    DemoUser("admin@safetynet.test", "平台管理员", (), superuser=True),
]


def demo_uscc(body: str) -> str:
    code = body + uscc_codes.calc_check_digit(body)
    uscc_codes.validate(code)
    return code


def seed_documents(organisation: Organisation, uploader: User) -> None:
    """The pending application's documents, so a vetting officer has something to review."""
    import hashlib

    from django.core.files.base import ContentFile

    if organisation.documents.exists():
        return
    files = [
        (DocumentType.REGISTRATION, "登记证书.png", "image/png", demo_png("Registration certificate (demo)")),
        (DocumentType.ANNUAL_REPORT, "2025年度工作报告.pdf", "application/pdf", demo_pdf("Annual report 2025 (demo)")),
        (DocumentType.BANK, "开户许可证.pdf", "application/pdf", demo_pdf("Bank account proof (demo)")),
    ]
    for doc_type, name, content_type, data in files:
        document = Document(
            organisation=organisation,
            doc_type=doc_type,
            display_name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            issued_on=date(2025, 3, 1),
            uploaded_by=uploader,
        )
        document.file.save("demo" + (".png" if content_type == "image/png" else ".pdf"), ContentFile(data), save=False)
        document.save()


def seed_history(organisations: dict[str, Organisation], *, officer: User, applicant: User) -> None:
    """The vetting events that led each demo organisation to its state."""

    for key, organisation in organisations.items():
        if organisation.events.exists():
            continue
        if organisation.vetting_state == VettingState.APPROVED:
            steps = [("submit", "draft", "submitted", None), ("start_review", "submitted", "under_review", officer)]
            steps.append(("approve", "under_review", "approved", officer))
        elif key == "pending":
            steps = [("submit", "draft", "submitted", applicant)]
        else:
            steps = []
        for action, source, target, by in steps:
            VettingEvent.objects.create(
                organisation=organisation, action=action, from_state=source, to_state=target, by=by
            )
