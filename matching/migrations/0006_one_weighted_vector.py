"""PostgreSQL: one tsvector per need, its title's positions weighted A; the token text gone.

A search reads, for every need the GIN index finds, the row's filter columns, and for the
needs it scores, the text's tsvector. The title had a second tsvector (about 130 bytes in
every row, and a second GIN index to keep); the text and the title were also kept as
token strings (about 900 and 60 bytes) that nothing reads once the tsvectors exist. Now
the one ``tokens_vector`` holds the whole card with the title's positions weighted ``A``
(``'老人':A`` matches the title only; the positions are those of the card's tokens, so a
phrase query is the same as before), written by the backend from the document's token
strings. The rows are half as wide and a rebuild writes one vector, not two and the text.
SQLite keeps the token strings in its FTS5 table (``matching_fts``) only.
"""

from django.db import migrations

WEIGHTED = (
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "to_tsvector('simple'::regconfig, substr(tokens, length(title_tokens) + 1))"
)


def one_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (
        "ALTER TABLE matching_searchdocument ADD COLUMN weighted tsvector",
        f"UPDATE matching_searchdocument SET weighted = {WEIGHTED}",
        "ALTER TABLE matching_searchdocument DROP COLUMN tokens_vector, DROP COLUMN title_vector",
        "ALTER TABLE matching_searchdocument RENAME COLUMN weighted TO tokens_vector",
        "ALTER TABLE matching_searchdocument ALTER COLUMN tokens_vector SET STORAGE EXTERNAL",
        "CREATE INDEX matching_tokens_vector_gin ON matching_searchdocument USING gin (tokens_vector)",
    ):
        schema_editor.execute(statement)


def two_vectors(apps, schema_editor):
    # The token strings are back but empty: run ``search_rebuild`` after going back.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE matching_searchdocument DROP COLUMN tokens_vector")
    for column, vector in (("tokens", "tokens_vector"), ("title_tokens", "title_vector")):
        schema_editor.execute(
            f"ALTER TABLE matching_searchdocument ADD COLUMN {vector} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {column})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX matching_{vector}_gin ON matching_searchdocument USING gin ({vector})")
    schema_editor.execute("ALTER TABLE matching_searchdocument ALTER COLUMN tokens_vector SET STORAGE EXTERNAL")


class Migration(migrations.Migration):
    dependencies = [("matching", "0005_narrow_rows")]

    operations = [
        migrations.RunPython(one_vector, two_vectors),
        migrations.RemoveField(model_name="searchdocument", name="tokens"),
        migrations.RemoveField(model_name="searchdocument", name="title_tokens"),
    ]
