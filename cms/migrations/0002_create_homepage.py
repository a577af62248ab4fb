from django.db import migrations

INTRO = "救助衔接平台连接政府救助与慈善救助：民政部门发布法定救助覆盖不到的困难群众需求，经审核的慈善组织和社会工作服务机构承接服务，合同、验收和付款全程可查。"
INTRO_EN = (
    "Safetynet links government and charity assistance: civil-affairs staff publish the needs of people in "
    "hardship that statutory aid does not cover, vetted charities and social-work organisations take them on, "
    "and contracts, acceptance and payments are tracked in the open."
)


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    # Replace Wagtail's placeholder welcome page with our home page.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale = Locale.objects.first()
    home = HomePage.objects.create(
        title="救助衔接平台",
        draft_title="救助衔接平台",
        slug="home",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro=INTRO,
        intro_en=INTRO_EN,
        body=[],
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Safetynet"},
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
