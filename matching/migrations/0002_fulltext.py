"""The full-text side of the database backend, which differs by database: an FTS5 table
on SQLite, a GIN index on PostgreSQL. Also the seed synonym groups."""

from django.db import migrations

FTS_SQLITE = "CREATE VIRTUAL TABLE IF NOT EXISTS matching_fts USING fts5(tokens, title_tokens, tokenize = 'unicode61 remove_diacritics 0')"


def create_fulltext(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS_SQLITE)
    elif vendor == "postgresql":
        from django.contrib.postgres.indexes import GinIndex
        from django.contrib.postgres.search import SearchVector

        # The same expressions the backend filters on, so the planner uses the indexes.
        model = apps.get_model("matching", "SearchDocument")
        for column in ("tokens", "title_tokens"):
            index = GinIndex(SearchVector(column, config="simple"), name=f"matching_{column}_gin")
            schema_editor.add_index(model, index)


def drop_fulltext(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS matching_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS matching_tokens_gin")
        schema_editor.execute("DROP INDEX IF EXISTS matching_title_tokens_gin")


def seed_synonyms(apps, schema_editor):
    from matching.synonyms import SEED_GROUPS

    SynonymGroup = apps.get_model("matching", "SynonymGroup")
    for terms in SEED_GROUPS:
        SynonymGroup.objects.get_or_create(terms="\n".join(terms))


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_search_index")]

    operations = [
        migrations.RunPython(create_fulltext, drop_fulltext),
        migrations.RunPython(seed_synonyms, migrations.RunPython.noop),
    ]
