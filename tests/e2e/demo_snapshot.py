"""The demo data set, seeded once per session and put back before every browser test.

``seed_demo`` drives some thirty needs through every service and takes seconds; the
browser tests' database is flushed after each test. So the first test to ask for the
demo seeds it and this module takes a snapshot of the result; every later test gets
that snapshot back instead of seeding again:

* the database, copied page by page with SQLite's backup API (the ids, the sequences in
  ``sqlite_sequence`` and the full-text index come back exactly as they were);
* the files the demo's rows point at (FileFields, into each field's *current* storage,
  so a test that moved the private storage to its temporary folder finds them there)
  and the open-data files under ``OPEN_DATA_DIR``;
* the process's caches that remember rows: the content types and the cache (which the
  live server shares with the test).

Only on SQLite; on another database every test seeds the demo again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DemoSnapshot:
    database: sqlite3.Connection | None = None
    files: list[tuple[str, str, str, bytes]] = field(default_factory=list)  # (model, field, name, content)
    open_data: dict[str, bytes] = field(default_factory=dict)  # file name under OPEN_DATA_DIR -> content

    @property
    def taken(self) -> bool:
        return self.database is not None

    @staticmethod
    def supported() -> bool:
        from django.db import connection

        return connection.vendor == "sqlite"

    # --- Taking ---------------------------------------------------------------------

    def take(self) -> None:
        """Copy the (freshly seeded, committed) database and the files its rows name."""
        from django.db import connection

        assert not connection.in_atomic_block, "the demo must be committed before its snapshot"
        connection.ensure_connection()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        self.files = list(_stored_files())
        self.open_data = _open_data_files()
        self.database = copy

    # --- Restoring ------------------------------------------------------------------

    def restore(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.core.cache import cache
        from django.db import connection

        assert self.database is not None
        assert not connection.in_atomic_block, "the snapshot replaces the whole database: not inside a transaction"
        connection.ensure_connection()
        # Page by page into the test's connection. On a file database the live server's
        # connections see the new content at their next transaction; on the shared
        # in-memory database the live server uses this very connection.
        self.database.backup(connection.connection)
        # The flush after the previous test made the content types again with new ids;
        # the snapshot's are the old ones.
        ContentType.objects.clear_cache()
        cache.clear()
        _write_files(self.files)
        _write_open_data(self.open_data)


def _file_fields():
    from django.apps import apps
    from django.db.models import FileField

    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, FileField):
                yield model, model_field


def _stored_files():
    for model, model_field in _file_fields():
        names = model._base_manager.exclude(**{model_field.attname: ""}).values_list(model_field.attname, flat=True)
        for name in names.order_by():
            if not name:
                continue
            storage = model_field.storage
            if not storage.exists(name):
                continue  # a row whose file was never written (none in the demo): nothing to restore
            with storage.open(name, "rb") as handle:
                yield model._meta.label, model_field.name, name, handle.read()


def _write_files(files) -> None:
    from django.apps import apps
    from django.core.files.base import ContentFile

    for label, field_name, name, content in files:
        storage = apps.get_model(label)._meta.get_field(field_name).storage
        if storage.exists(name):
            with storage.open(name, "rb") as handle:
                if handle.read() == content:
                    continue
            storage.delete(name)
        saved = storage.save(name, ContentFile(content))
        assert saved == name, f"{name} was stored as {saved}"


def _open_data_files() -> dict[str, bytes]:
    from django.conf import settings

    directory = Path(settings.OPEN_DATA_DIR)
    if not directory.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")}


def _write_open_data(files: dict[str, bytes]) -> None:
    from django.conf import settings

    from opendata.publish import _write_atomically

    directory = Path(settings.OPEN_DATA_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = directory / name
        if not path.exists() or path.read_bytes() != content:
            _write_atomically(path, content)
