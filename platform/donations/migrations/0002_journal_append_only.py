"""On PostgreSQL the donation journal is append-only: UPDATE and DELETE are refused
(TRUNCATE, as the test runner's flush uses, is left alone). Elsewhere the services
alone keep it so."""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION donation_journal_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER donation_entry_append_only BEFORE UPDATE OR DELETE ON donations_donationentry
        FOR EACH ROW EXECUTE FUNCTION donation_journal_append_only()
    """,
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS donation_entry_append_only ON donations_donationentry",
    "DROP FUNCTION IF EXISTS donation_journal_append_only()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("donations", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
