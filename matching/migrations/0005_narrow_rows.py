"""PostgreSQL: the search index's rows narrow, their long text out of line.

A search reads, for every need the GIN index finds, the row's filter columns; the card's
``tokens`` (about 900 bytes) kept in line made each row about 1.3 kB and the table three
times larger than what a search reads. With a TOAST target of 512 bytes the tokens (and
the tsvector, as before) are stored out of line: about 420 bytes a row, so the pages a
search visits are a third as many and stay in shared buffers. Neither was compressed
(bigrams and their positions do not compress): both are now stored as they are, without
a failed attempt at compressing them on every insert. Rows written before keep their
layout until rewritten: run ``search_rebuild`` once, then ``VACUUM FULL
matching_searchdocument`` to give back the space of the wide rows (a sequential scan, as
"Recommended for you" makes, reads it all). SQLite keeps its FTS5 table.
"""

from django.db import migrations


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE matching_searchdocument SET (toast_tuple_target = 512)")
        schema_editor.execute(
            "ALTER TABLE matching_searchdocument ALTER COLUMN tokens SET STORAGE EXTERNAL, "
            "ALTER COLUMN tokens_vector SET STORAGE EXTERNAL"
        )


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE matching_searchdocument RESET (toast_tuple_target)")
        schema_editor.execute(
            "ALTER TABLE matching_searchdocument ALTER COLUMN tokens SET STORAGE EXTENDED, "
            "ALTER COLUMN tokens_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0004_stored_tsvector")]

    operations = [migrations.RunPython(narrow, widen)]
