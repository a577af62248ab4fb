from django.db import migrations, models


def load(apps, schema_editor):
    from regions.loader import load_regions

    load_regions(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_load_divisions")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="name in English"),
        ),
        migrations.AddField(
            model_name="region",
            name="full_name_en",
            field=models.CharField(blank=True, max_length=400, verbose_name="full name in English"),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
