"""What migrations create (regions, categories, synonyms, the home page, the site), and the home page's body."""

from __future__ import annotations

from django.contrib.auth.models import Group

from categories.models import Category
from categories.seed import seed_categories
from cms.migrations_support import HOME_INTRO, HOME_INTRO_EN
from cms.models import HomePage
from matching.models import SynonymGroup
from matching.synonyms import SEED_GROUPS
from regions.loader import load_regions
from regions.models import Region


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


def _section(heading: str, body: str, link_text: str = "", link_url: str = "") -> tuple[str, dict]:
    return ("section", {"heading": heading, "body": f"<p>{body}</p>", "link_text": link_text, "link_url": link_url})


def seed_home_page() -> None:

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
