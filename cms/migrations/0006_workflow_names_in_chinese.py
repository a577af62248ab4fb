"""Wagtail's default workflow and task are named in English ("Moderators approval"),
which its Chinese admin showed as "提交给Moderators approval". The names are data, not
msgids, so they are renamed here, in the site's default language."""

from django.db import migrations

OLD, NEW = "Moderators approval", "审核员审批"


def rename(apps, schema_editor):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=OLD).update(name=NEW)


def restore(apps, schema_editor):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=NEW).update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_transparency_pages"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename, restore)]
