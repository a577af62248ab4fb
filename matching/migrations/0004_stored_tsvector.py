"""PostgreSQL: the tokens' tsvectors stored (generated columns) with GIN indexes on them.

A phrase match rechecks every candidate row against its tsvector; computed from the text
at query time that is a full parse of each row, stored it is a read. The expression
indexes of 0002 are dropped (nothing queries them any more). SQLite keeps its FTS5 table.
"""

from django.db import migrations

COLUMNS = (("tokens", "tokens_vector"), ("title_tokens", "title_vector"))


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, vector in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE matching_searchdocument ADD COLUMN {vector} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {column})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX matching_{vector}_gin ON matching_searchdocument USING gin ({vector})")
        schema_editor.execute(f"DROP INDEX IF EXISTS matching_{column}_gin")


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, vector in COLUMNS:
        schema_editor.execute(f"ALTER TABLE matching_searchdocument DROP COLUMN IF EXISTS {vector}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS matching_{column}_gin ON matching_searchdocument "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({column}, '')))"
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0003_saved_searches")]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
