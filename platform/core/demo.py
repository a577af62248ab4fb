"""The demo data set: deterministic and idempotent (running it twice changes nothing).

Real divisions (四川省 成都市 大邑县 and its townships), agencies along them,
organisations in several vetting states, and one account per role. Every demo
account has the password DEMO_PASSWORD and TOTP with the public secret
DEMO_TOTP_SECRET, so a person or a browser test can sign in. Never in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
from organisations.models import Organisation, OrganisationKind, VettingState
from regions.models import Region

DEMO_PASSWORD = "Safetynet-demo-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
# Fixed, so that approval expiries are the same on every run and every machine.
DEMO_APPROVED_UNTIL = datetime(2027, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

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
    ),
    DemoOrganisation(
        "pending",
        "大邑县晨曦儿童关爱中心",
        OrganisationKind.SOCIAL_WORK,
        VettingState.UNDER_REVIEW,
        False,
        "52510129MJ0000044",
        "为留守儿童和困境儿童提供课后照料与陪伴（审核中）。",
        (COUNTY,),
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
    DemoUser("finance@safetynet.test", "张丽（财务）", ((Role.AGENCY_FINANCE, "county"),)),
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


def ensure_reference_data() -> None:
    """Regions, the CMS home page and the default site, which migrations create.

    Called again by seed_demo and by tests that flush the database (live-server and
    race tests), so that a flushed database is whole again.
    """
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, GroupPagePermission, Locale, Page, Site

    from cms.migrations_support import HOME_INTRO, HOME_INTRO_EN
    from cms.models import HomePage
    from regions.loader import load_regions

    load_regions(Region)
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
                "public_fundraising": spec.public_fundraising,
                "description": spec.description,
                "email": f"contact+{spec.key}@safetynet.test",
            },
        )
        if was_created:
            org.service_regions.set([regions[c] for c in spec.serves])
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

    _seed_home_page()
    if any(created.values()):
        record(action="demo.seed", actor_label="seed_demo", summary={"created": created})
    return created


def _section(heading: str, body: str, link_text: str = "", link_url: str = "") -> tuple[str, dict]:
    return ("section", {"heading": heading, "body": f"<p>{body}</p>", "link_text": link_text, "link_url": link_url})


def _seed_home_page() -> None:
    from cms.models import HomePage

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
