"""The index's rows: a document's columns, its tsvector's parts and its line for PostgreSQL's COPY."""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast

from django.db import connection
from django.db.models import Field
from django.utils import timezone

from matching.models import SearchDocument

DOCUMENT_FIELDS = [f.name for f in SearchDocument._meta.concrete_fields if f.name not in {"need", "indexed_at"}]
# PostgreSQL: the card's tsvector from its title's tokens and the rest's, and the need's
# filter lexemes (three parameters).
WEIGHTED_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, %s), 'A') || to_tsvector('simple'::regconfig, %s) "
    "|| array_to_tsvector(%s::text[])"
)


def filter_lexemes(document: dict) -> list[str]:
    """The need's filter values as lexemes of its tsvector (PostgreSQL), so that the GIN
    index that finds the text also leaves out the needs outside the region and those
    failing more than one facet filter (``_pg_prefilter``): ``r:`` each level of the
    region path, ``c:`` the category, ``k:`` the kind, ``u:`` the urgency. No text token
    holds a colon (``matching.text``), so none is ever matched by the text."""
    levels = [document[f"region_l{i}"] for i in range(1, 5)]
    values = [("r", level) for level in levels if level]
    values += [("c", document["category"]), ("k", document["kind"]), ("u", document["urgency"])]
    return [f"{prefix}:{value}" for prefix, value in values]


def _title_and_rest(document: dict) -> list[str]:
    """The card's token string cut after its title's tokens (which open it: the title is
    the first line of the card's text, and tokens never cross a line)."""
    title, text = document["title_tokens"], document["tokens"]
    if not text.startswith(title):
        raise ValueError(f"need #{document['id']}: the card's tokens do not open with its title's")
    return [title, text[len(title) :]]


def document_rows(documents: list[dict]) -> tuple[list[str], list[list]]:
    """The index table's columns (quoted, but ``tokens_vector``) and the batch's rows,
    values adapted as the fields would, for one prepared INSERT (the ORM's bulk_create
    compiles a statement per batch row by row, the half of a SQLite rebuild)."""
    # Columns all, no reverse relations.
    fields = [cast(Field, SearchDocument._meta.get_field(name)) for name in ("need", *DOCUMENT_FIELDS, "indexed_at")]
    now = timezone.now()
    rows = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, (d["id"], *_columns(d).values(), now), strict=True)]
        for d in documents
    ]
    return [connection.ops.quote_name(cast(str, f.column)) for f in fields], rows


def vector_parts(documents: list[dict]) -> list[list]:
    """PostgreSQL: the three parameters of ``WEIGHTED_VECTOR`` for each document."""
    return [[*_title_and_rest(d), filter_lexemes(d)] for d in documents]


# PostgreSQL's rebuild (``pg_rebuild``): the columns it copies, each document a line of
# COPY's text format, and the tsvector made from them by the server: the same as
# ``WEIGHTED_VECTOR`` of the document's ``vector_parts``.
COPY_COLUMNS: list[str] = [
    "need_id",
    *(cast(str, cast(Field, SearchDocument._meta.get_field(f)).column) for f in DOCUMENT_FIELDS),
    "indexed_at",
]
VECTOR_OF_COLUMNS = (
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "to_tsvector('simple'::regconfig, substr(tokens, length(title_tokens) + 1)) || "
    "array_to_tsvector(array_remove(ARRAY['r:' || NULLIF(region_l1, ''), 'r:' || NULLIF(region_l2, ''), "
    "'r:' || NULLIF(region_l3, ''), 'r:' || NULLIF(region_l4, ''), 'c:' || category, 'k:' || kind, "
    "'u:' || urgency], NULL))"
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def copy_lines(documents: list[dict]) -> str:
    """The documents as lines of COPY's text format: ``COPY_COLUMNS``, then the title's
    tokens (a tab between values, backslash escapes; much quicker than adapting each
    value through the driver)."""
    now = timezone.now().isoformat()
    lines = []
    for d in documents:
        values = [str(d["id"]), *map(_copy_value, _columns(d).values()), now, _copy_value(d["title_tokens"])]
        lines.append("\t".join(values))
    return "\n".join(lines) + "\n" if lines else ""


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    value = str(value)
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value  # seldom: quicker


def _columns(document: dict) -> dict:
    columns = {f: document[f] for f in DOCUMENT_FIELDS}
    columns["invited"] = " " + " ".join(str(i) for i in document["invited"]) + " " if document["invited"] else ""
    return columns
