"""PostgreSQL: one tsvector per need, its title's positions weighted A, with filter lexemes.

A search reads, for every need the GIN index finds, the row's filter columns, and for the
needs it scores, the text's tsvector. The title had a second tsvector (about 130 bytes in
every row, and a second GIN index to keep) and its token string (about 60 bytes). Now the
one ``tokens_vector`` holds the whole card with the title's positions weighted ``A``
(``'老人':A`` matches the title only; the positions are those of the card's tokens, so a
phrase query is the same as before), written by the backend from the document's token
strings. The rows are about half as wide and a rebuild writes one vector and one GIN
index, not two. SQLite keeps the title's token string in its FTS5 table
(``matching_fts``). The vector also holds the need's filter values as lexemes (``r:`` each
level of its region path, ``c:`` its category, ``k:`` its kind, ``u:`` its urgency; see
``matching.backends.database.filter_lexemes``) so that the GIN index returns only the
needs that a search's facets can count.

The card's ``tokens`` stay in the row: it is their size that has PostgreSQL move the row's
long values out of line (it only does so for a row over about 2 kB, whatever
``toast_tuple_target`` says; a vector alone is often less).
"""

from django.db import migrations, models

WEIGHTED = (
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "to_tsvector('simple'::regconfig, substr(tokens, length(title_tokens) + 1)) || "
    "array_to_tsvector(array_remove(ARRAY['r:' || NULLIF(region_l1, ''), 'r:' || NULLIF(region_l2, ''), "
    "'r:' || NULLIF(region_l3, ''), 'r:' || NULLIF(region_l4, ''), 'c:' || category, 'k:' || kind, 'u:' || urgency], "
    "NULL))"
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
    # The title's token string is back but empty: run ``search_rebuild`` after going back.
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
        # Blank first, so that going back re-adds the column with '' in the existing rows.
        migrations.AlterField(model_name="searchdocument", name="title_tokens", field=models.TextField(blank=True)),
        migrations.RemoveField(model_name="searchdocument", name="title_tokens"),
    ]
