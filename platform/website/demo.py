"""The demo data set: deterministic and idempotent (running it twice changes nothing).

Real divisions (四川省 成都市 大邑县 and its townships), agencies along them,
organisations in several vetting states, and one account per role. Every demo
account has the password DEMO_PASSWORD and TOTP with the public secret
DEMO_TOTP_SECRET, so a person or a browser test can sign in. Never in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.models import Group
from django.db import transaction
from stdnum.cn import uscc as uscc_codes

from accounts.models import Membership, Role, User
from agencies.models import Agency
from audit.services import record
from categories.models import Category
from categories.seed import seed_categories
from cms.migrations_support import HOME_INTRO, HOME_INTRO_EN
from cms.models import HomePage
from contracts import services as contracts
from contracts.models import Milestone
from matching.models import SynonymGroup
from matching.synonyms import SEED_GROUPS
from needs import services
from needs.forms import resident_id_check_digit
from needs.models import Need, Scheme, SchemeAnswer, Scope
from needs.proposals import proposals_open
from needs.workflow import DEFAULT_WEIGHTS
from organisations.models import Organisation, OrganisationKind, VettingState
from regions.loader import load_regions
from regions.models import Region
from vetting.models import Document, DocumentType, VettingEvent
from vetting.uploads import check_upload
from website.demo_reports import seed_report

if TYPE_CHECKING:
    from contracts.models import ContractVersion, MilestoneTerms

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


def _seed_synonyms() -> None:
    """The field's synonym groups, as their data migration seeds them (once: staff edit them)."""

    if not SynonymGroup.objects.exists():
        SynonymGroup.objects.bulk_create([SynonymGroup(terms="\n".join(terms)) for terms in SEED_GROUPS])


def ensure_reference_data() -> None:
    """Regions, categories, synonym groups, the CMS home page and the default site, which
    migrations create.

    Called again by seed_demo and by tests that flush the database (live-server and
    race tests), so that a flushed database is whole again.
    """
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, GroupPagePermission, Locale, Page, Site

    load_regions(Region)
    seed_categories(Category)
    _seed_synonyms()
    # What Wagtail's own data migrations create: a content locale, the root
    # collection, and the Editors group with admin access to the home page.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    editors, _ = Group.objects.get_or_create(name="Editors")
    access_admin = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
    if access_admin is not None:
        editors.permissions.add(access_admin)
    if not HomePage.objects.exists():
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(
            instance=HomePage(title="救助衔接平台", slug="home", intro=HOME_INTRO, intro_en=HOME_INTRO_EN)
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Safetynet"},
        )
    home = HomePage.objects.first()
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=["add_page", "change_page", "publish_page"]
    ):
        GroupPagePermission.objects.get_or_create(group=editors, page=home, permission=permission)


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Create or correct the demo data. Returns how many rows were created, by kind."""
    ensure_reference_data()
    created = {"agencies": 0, "organisations": 0, "users": 0, "memberships": 0}
    regions = {
        r.code: r for r in Region.objects.filter(code__in=[PROVINCE, CITY, COUNTY, TOWNSHIP_JINYUAN, TOWNSHIP_ANREN])
    }
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency, was_created = Agency.objects.get_or_create(
            name=spec.name,
            region=regions[spec.region],
            defaults={"parent": agencies.get(spec.parent) if spec.parent else None},
        )
        agencies[spec.key] = agency
        created["agencies"] += was_created

    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        org, was_created = Organisation.objects.get_or_create(
            uscc=demo_uscc(spec.code_body),
            defaults={
                "legal_name": spec.legal_name,
                "kind": spec.kind,
                "region": regions[COUNTY],
                "vetting_state": spec.state,
                "approved_until": DEMO_APPROVED_UNTIL if spec.state == VettingState.APPROVED else None,
                "vetted_since": DEMO_VETTED_SINCE if spec.state == VettingState.APPROVED else None,
                "submitted_at": DEMO_VETTED_SINCE if spec.state == VettingState.SUBMITTED else None,
                "public_fundraising": spec.public_fundraising,
                "charity_recognised": spec.kind == OrganisationKind.CHARITY,
                "charity_recognised_on": date(2019, 6, 1) if spec.kind == OrganisationKind.CHARITY else None,
                "rating": spec.rating,
                "description": spec.description,
                "email": f"contact+{spec.key}@safetynet.test",
                "registration_authority": "大邑县民政局" if spec.code_body[2:8] == COUNTY else "成都市民政局",
                "registration_date": date(2018, 3, 15),
                "contact_name": "办公室",
                "phone": "028-8888" + spec.code_body[-4:],
                "capacity": 20,
                "staff_count": 12,
                "social_workers": 4,
                "bank_name": "中国农业银行大邑县支行",
                "bank_account_name": spec.legal_name,
                "bank_account": "2281" + spec.code_body[-12:].replace("M", "0").replace("J", "1"),
            },
        )
        if was_created:
            org.service_regions.set([regions[c] for c in spec.serves])
            org.service_categories.set(Category.objects.filter(code__in=spec.categories))
        organisations[spec.key] = org
        created["organisations"] += was_created

    editors = Group.objects.filter(name="Editors").first()
    for spec in USERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                spec.email,
                DEMO_PASSWORD,
                display_name=spec.display_name,
                is_superuser=spec.superuser,
                is_staff=spec.superuser,
            )
            created["users"] += 1
        EmailAddress.objects.get_or_create(user=user, email=spec.email, defaults={"verified": True, "primary": True})
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}
            )
        if spec.editor and editors is not None:
            user.groups.add(editors)
        for role, key in spec.roles:
            scope = {}
            if key in agencies:
                scope = {"agency": agencies[key]}
            elif key in organisations:
                scope = {"organisation": organisations[key]}
            _membership, was_created = Membership.objects.get_or_create(user=user, role=role, **scope)
            created["memberships"] += was_created

    pending_admin = User.objects.get(email="pending.admin@safetynet.test")
    _seed_documents(organisations["pending"], pending_admin)
    _seed_history(organisations, officer=User.objects.get(email="vetting@safetynet.test"), applicant=pending_admin)
    _seed_needs(
        agency=agencies["county"],
        caseworker=User.objects.get(email="caseworker@safetynet.test"),
        approver=User.objects.get(email="approver@safetynet.test"),
    )
    _seed_contracts(
        agency=agencies["county"],
        organisation=organisations["charity"],
        people=lambda email: User.objects.get(email=email),
    )
    _seed_home_page()
    from website.demo_cms import seed_site_pages

    seed_site_pages()  # about, how vetting works, news and policy documents
    from website.demo_donations import seed_cofunding

    seed_cofunding()  # a need co-funded by the public (donations)
    seed_report()  # a report from the public, so the auditors' queue is not empty
    from website.demo_transparency import seed_transparency

    seed_transparency()  # a year of finished work, the public figures' pages and their snapshot
    from website.demo_opendata import seed_open_data

    seed_open_data()  # the register and the directory as downloadable files (open data)
    if any(created.values()):
        record(action="demo.seed", actor_label="seed_demo", summary={"created": created})
    return created


def _section(heading: str, body: str, link_text: str = "", link_url: str = "") -> tuple[str, dict]:
    return ("section", {"heading": heading, "body": f"<p>{body}</p>", "link_text": link_text, "link_url": link_url})


def _seed_home_page() -> None:

    home = HomePage.objects.first()
    if home is None or len(home.body):
        return
    home.title_en = "Safetynet"
    home.body = [
        _section(
            "政府救助与慈善救助衔接",
            "法定救助之外仍有困难的家庭，由民政部门记录需求，经审核的慈善组织和社会工作服务机构承接服务。",
        ),
        _section("保护每一位受助者", "公开页面只显示汇总数字、合同公示和机构名录，从不显示受助者的身份信息。"),
        _section(
            "社会组织如何参与",
            "注册账号、提交机构资料并通过审核后，即可查看并承接与本机构服务范围相符的需求。",
            "注册",
            "/accounts/signup/",
        ),
    ]
    home.body_en = [
        _section(
            "Linking government and charity assistance",
            "Households still in hardship beyond statutory aid have their needs recorded by civil-affairs staff; "
            "vetted charities and social-work organisations take them on.",
        ),
        _section(
            "Protecting every person helped",
            "Public pages show aggregate figures, the contract register and the directory, "
            "never a beneficiary's identity.",
        ),
        _section(
            "How organisations take part",
            "Register, submit your organisation's documents and, once vetted, see and take on the needs that fit "
            "your service area.",
            "Register",
            "/en/accounts/signup/",
        ),
    ]
    home.save_revision().publish()


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF carrying ``title`` (ASCII), for demo documents."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def demo_png(title: str) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, 589, 389], outline="darkred", width=6)
    draw.text((40, 180), title, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _seed_documents(organisation: Organisation, uploader: User) -> None:
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


def _seed_history(organisations: dict[str, Organisation], *, officer: User, applicant: User) -> None:
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


@dataclass(frozen=True)
class DemoNeed:
    title: str
    summary: str
    category: str
    kind: str
    urgency: str
    region: str
    budget: str
    days: int
    state: str  # how far along the workflow: draft, submitted, published or proposals_open
    person: tuple[str, str]  # a made-up name and ID-number body (17 digits; the check digit is computed)


NEEDS = [
    DemoNeed(
        "独居老人助餐与探访",
        "高龄独居老人，行动不便，需要每日助餐和每周两次上门探访，为期三个月。",
        "elderly_care",
        "service",
        "routine",
        TOWNSHIP_JINYUAN,
        "3600.00",
        90,
        "published",
        ("示例甲", "51012919400101002"),
    ),
    DemoNeed(
        "困境儿童课后照料",
        "父母外出务工，两名儿童放学后无人照看，需要课后照料和作业辅导。",
        "child_care",
        "service",
        "urgent",
        TOWNSHIP_ANREN,
        "2400.00",
        60,
        "published",
        ("示例乙", "51012920150301003"),
    ),
    DemoNeed(
        "大病家庭康复护理",
        "家庭主要劳动力重病出院，医疗救助后仍需三个月居家康复护理服务。",
        "disability",
        "service",
        "routine",
        COUNTY,
        "8000.00",
        90,
        "submitted",
        ("示例丙", "51012919700505004"),
    ),
    DemoNeed(
        "失能老人半年居家照护",
        "两位失能老人需要为期半年的居家照护与康复训练，每周三次上门。",
        "elderly_care",
        "service",
        "routine",
        TOWNSHIP_JINYUAN,
        "24000.00",
        180,
        "proposals_open",
        ("示例戊", "51012919361212006"),
    ),
    DemoNeed(
        "受灾家庭过冬物资",
        "房屋受损的家庭需要棉被、取暖器等过冬物资。",
        "emergency",
        "material",
        "emergency",
        COUNTY,
        "1500.00",
        7,
        "draft",
        ("示例丁", "51012919800808005"),
    ),
]


def record_demo_need(
    agency: Agency,
    caseworker: User,
    *,
    card: dict,
    person: tuple[str, str],
    flags: dict | None = None,
    submit: bool = True,
):
    """A demo need recorded through the services (so the audit log and events are real):
    ``card`` names its category and region by code; ``person`` is a made-up name and the
    first 17 digits of an ID number. Submitted past the statutory-aid check unless
    ``submit`` is false."""
    from decimal import Decimal

    name, body = person
    data = {
        **card,
        "category": Category.objects.get(code=card["category"]),
        "region": Region.objects.get(code=card["region"]),
        "budget": Decimal(card["budget"]),
        "qualifications": "",
        "people_count": 1,
        "scope": Scope.REGION,
    }
    beneficiary = {
        "name": name,
        "id_number": body + resident_id_check_digit(body),
        # Made up like the name, so that the privacy crawl has all four to look for.
        "phone": "139" + body[-8:],
        "address": f"{name[0]}家巷{int(body[-3:]) % 97 + 1}号",
        "is_minor": False,
        "has_disability": False,
        "elderly_alone": False,
        "severe_illness": False,
        **(flags or {}),
    }
    need = services.need_create(
        agency=agency,
        by=caseworker,
        data=cast(services.NeedCard, data),
        beneficiary=cast(services.BeneficiaryData, beneficiary),
        household=[],
    )
    if submit:
        answers = {s.value: (SchemeAnswer.NOT_ELIGIBLE, "") for s in Scheme}
        answers[Scheme.DIBAO] = (SchemeAnswer.INSUFFICIENT, "")
        services.scheme_checks_record(
            need=need, by=caseworker, answers=answers, gap_reason="service_not_cash", gap_note=""
        )
        need = services.need_transition(need=need, action="submit", by=caseworker)
    return need


def _seed_needs(*, agency: Agency, caseworker: User, approver: User) -> None:
    """Needs at each step of the workflow, recorded through the services (so the audit
    log and events are real). The people are made up."""

    for spec in NEEDS:
        if Need.objects.filter(agency=agency, title=spec.title).exists():
            continue
        need = record_demo_need(
            agency,
            caseworker,
            card={
                "title": spec.title,
                "summary": spec.summary,
                "category": spec.category,
                "kind": spec.kind,
                "urgency": spec.urgency,
                "region": spec.region,
                "budget": spec.budget,
                "duration_days": spec.days,
            },
            person=spec.person,
            flags={
                "is_minor": spec.person[1][6:10] >= "2010",
                "elderly_alone": spec.category == "elderly_care",
                "severe_illness": spec.category == "disability",
            },
            submit=spec.state != "draft",
        )
        if spec.state == "draft":
            continue
        if spec.state == "published":
            services.need_transition(need=need, action="approve", by=approver)
            services.need_transition(need=need, action="publish", by=approver)
        elif spec.state == "proposals_open":
            services.need_transition(need=need, action="approve", by=approver)
            proposals_open(need=need, by=approver, weights=DEFAULT_WEIGHTS)


# --- Contracts ------------------------------------------------------------------------


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


def _seed_contracts(*, agency: Agency, organisation: Organisation, people) -> None:
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
