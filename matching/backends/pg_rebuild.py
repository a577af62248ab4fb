# ruff: noqa: S608 — the SQL built here interpolates only table, index and constraint names
# read from PostgreSQL's catalogue and fixed column names; every value is a parameter.
"""PostgreSQL: ``search_rebuild`` fills a new table and swaps it in.

Rewriting the index table in place costs a delete of every row, and an insert whose
every row updates the GIN index (through its pending list) and leaves the old row's
entries behind until a vacuum. Instead the documents are copied (``COPY``) in batches into
a table made like the index's, without indexes, and its tsvectors are made by the server
from each batch; the indexes and constraints are then built once, in bulk, and the new
table takes the old one's place and names. All of it is one transaction: until it
commits, searches read the old table, and a failure anywhere leaves it as it was.

Writes to the index made while the rebuild runs go to the old table. Before the swap the
old table is locked against writes (searches still read it) and they are carried over:
the rows written since the rebuild started replace the new table's, and a need that is no
longer searched (its state, as the needs table says, is not an indexed state; or it is
gone) leaves the new table.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.utils import timezone

from matching.models import SearchDocument
from needs.models import Need

TABLE = SearchDocument._meta.db_table
NEXT = f"{TABLE}_next"
BATCH = "search_rebuild_batch"
# For the rebuild only, put back after it (it may run inside a caller's transaction, where
# ``SET LOCAL`` would outlive it): the GIN index is built in memory, in one run.
SETTINGS = {"maintenance_work_mem": "512MB", "work_mem": "256MB"}
# The swap's wait for each lock it takes, but the old table's last (the running searches
# finish first), and how many times it tries (``_swap``).
LOCK_WAIT = "300ms"
DROP_WAIT = "10s"
SWAP_TRIES = 30


def rebuild(batches, progress, *, columns: list[str], lines, vector: str) -> int:
    """``batches`` of documents into a new table swapped in for the index's. ``lines``
    turns a batch into COPY's text format (``columns``, then the title's tokens),
    ``vector`` is the SQL of the tsvector from those columns."""
    started = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{k}')" for k in SETTINGS))
        before = cursor.fetchone()
        set_config = "SELECT " + ", ".join(f"set_config('{k}', %s, true)" for k in SETTINGS)
        cursor.execute(set_config, list(SETTINGS.values()))

        indexes, constraints = _indexes_and_constraints(cursor)
        cursor.execute(
            f"CREATE TABLE {NEXT} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            "INCLUDING STORAGE INCLUDING COMPRESSION)"
        )
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [TABLE])
        options = cursor.fetchone()[0]
        if options:
            cursor.execute(f"ALTER TABLE {NEXT} SET ({', '.join(options)})")
        # The batch as it arrives, and the parts the server makes its tsvector of.
        listed = ", ".join(columns)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {BATCH} ON COMMIT DROP AS SELECT {listed}, "
            f"''::text AS title_tokens FROM {TABLE} WITH NO DATA"
        )
        done = _fill(batches, progress, lines, listed, vector)

        # The indexes and constraints, once, under names of their own until the swap.
        renames = []
        for number, (name, definition) in enumerate(indexes):
            temporary = f"search_next_index_{number}"
            cursor.execute(_on_next(definition, temporary))
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
        for number, (name, definition) in enumerate((n, d) for n, kind, d in constraints if kind != "f"):
            temporary = f"search_next_constraint_{number}"
            cursor.execute(f"ALTER TABLE {NEXT} ADD CONSTRAINT {temporary} {definition}")
            renames.append(f"ALTER TABLE {NEXT} RENAME CONSTRAINT {temporary} TO {name}")
        cursor.execute(f"ANALYZE {NEXT}")

        _swap(cursor, started, listed, constraints, renames)
        cursor.execute(set_config, list(before))
    return done


def _swap(cursor, started, listed: str, constraints, renames: list[str]) -> None:
    """Carry over the writes made meanwhile and put the new table in the old one's place.

    It takes locks a need's change also takes, the other way round (the old table's
    against writes, then the needs table's to add the foreign key; a change writes the
    need, then the index): rather than deadlock with one (PostgreSQL would end one of
    the two after a second, perhaps the change), it waits at most ``LOCK_WAIT`` for each
    of these, and if one is not free it lets go of all it took (a savepoint) and tries
    again a moment later, up to ``SWAP_TRIES`` times."""
    import time

    from django.db import OperationalError

    from matching.documents import INDEXED_STATES

    cursor.execute("SELECT current_setting('lock_timeout')")
    (lock_timeout,) = cursor.fetchone()
    for attempt in range(1, SWAP_TRIES + 1):
        try:
            with transaction.atomic():
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
                # The old table is locked against more writes (searches still read it).
                cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
                # The rows written since the rebuild started (``indexed_at``, the writer's
                # clock: the machines' clocks are taken to agree). One written just before
                # came from a need as the rebuild then read it; one whose need changed
                # later has another write to come (the change's task), carried over or
                # into the new table.
                cursor.execute(
                    f"DELETE FROM {NEXT} WHERE need_id IN (SELECT need_id FROM {TABLE} WHERE indexed_at >= %s)",
                    [started],
                )
                cursor.execute(
                    f"INSERT INTO {NEXT} ({listed}, tokens_vector) SELECT {listed}, tokens_vector FROM {TABLE} "
                    "WHERE indexed_at >= %s",
                    [started],
                )
                # A need no longer searched (or gone) leaves.
                cursor.execute(
                    f"DELETE FROM {NEXT} n WHERE NOT EXISTS (SELECT 1 FROM {Need._meta.db_table} need "
                    "WHERE need.id = n.need_id AND need.state = ANY(%s))",
                    [list(INDEXED_STATES)],
                )
                foreign = []
                for number, (name, definition) in enumerate((n, d) for n, kind, d in constraints if kind == "f"):
                    temporary = f"search_next_foreign_{number}"
                    cursor.execute(f"ALTER TABLE {NEXT} ADD CONSTRAINT {temporary} {definition}")
                    foreign.append(f"ALTER TABLE {NEXT} RENAME CONSTRAINT {temporary} TO {name}")
                # A table with deferred checks pending cannot be dropped: this transaction's
                # own earlier writes to it (a caller's) are checked now, as Django's
                # ``check_constraints`` does, and the checks deferred again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                # Dropping the old table waits for the searches reading it (nothing it
                # holds is wanted by them), while the next ones wait behind it.
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [DROP_WAIT])
                cursor.execute(f"DROP TABLE {TABLE}")
                for statement in [*renames, *foreign]:
                    cursor.execute(statement)
                cursor.execute(f"ALTER TABLE {NEXT} RENAME TO {TABLE}")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
            return
        except OperationalError as error:  # a lock not free in time (lock_not_available)
            if getattr(error.__cause__, "sqlstate", "") != "55P03" or attempt == SWAP_TRIES:
                raise
            time.sleep(0.1 * attempt)


def _fill(batches, progress, lines, listed: str, vector: str) -> int:
    """Each batch is copied and turned into rows of the new table by a second thread on
    this same connection (and transaction; psycopg serialises its use) while this one
    reads the needs and builds the next: the server makes the tsvectors while Python
    makes the documents."""
    raw = connection.connection  # the transaction's psycopg connection
    errors = connection.wrap_database_errors  # ``connection`` is per thread
    insert = f"INSERT INTO {NEXT} ({listed}, tokens_vector) SELECT {listed}, {vector} FROM {BATCH}"

    def write(data: str, count: int) -> int:
        with errors, raw.cursor() as cursor:
            with cursor.copy(f"COPY {BATCH} FROM STDIN") as copy:
                copy.write(data)
            cursor.execute(insert)
            cursor.execute(f"TRUNCATE {BATCH}")
        return count

    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-rebuild") as writer:
        pending = None
        for batch in batches:
            job = writer.submit(write, lines(batch), len(batch))
            if pending is not None:
                done += pending.result()  # a failed write raises here: the rebuild rolls back
                if progress:
                    progress(done)
            pending = job
        if pending is not None:
            done += pending.result()
            if progress:
                progress(done)
    return done


def _indexes_and_constraints(cursor) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The index table's indexes that back no constraint (name, definition), and its
    primary key, unique and foreign key constraints (name, type, definition). Check
    and not-null constraints come with ``LIKE … INCLUDING CONSTRAINTS``."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
        "ORDER BY c.relname",
        [TABLE],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC, conname",
        [TABLE],
    )
    return indexes, cursor.fetchall()


DEFINITION = re.compile(r"^CREATE (UNIQUE )?INDEX (\S+) ON (ONLY )?(\S+) (USING .*)$", re.DOTALL)


def _on_next(definition: str, name: str) -> str:
    """An index's definition (``pg_get_indexdef``) for the new table, under ``name``."""
    match = DEFINITION.match(definition)
    if match is None:
        raise ValueError(f"unexpected index definition: {definition}")
    return f"CREATE {match[1] or ''}INDEX {name} ON {NEXT} {match[5]}"
