"""A report's description and its events' texts are encrypted at rest, like the contact
details: the reporter's words name people. The rows already there are encrypted here
(the same step as ``manage.py rotate_field_keys``), so no dump shows them in clear."""

from django.db import migrations

import core.fields


def encrypt_existing(apps, schema_editor):
    from core.management.commands.rotate_field_keys import rotate_model_fields

    for name in ("Report", "ReportEvent"):
        rotate_model_fields(model=apps.get_model("reports", name))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="description",
            field=core.fields.EncryptedTextField(max_length=5000, verbose_name="what happened"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="text",
            field=core.fields.EncryptedTextField(blank=True, verbose_name="text"),
        ),
        # Reversing leaves the tokens: the field still reads them while its keys are set.
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
