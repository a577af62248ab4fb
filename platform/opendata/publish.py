"""Writing the open-data files to storage, and reading what was written.

Built per request, the OCDS package of 100,000 contracts would read every milestone and
payment for each download; so the files are generated to ``OPEN_DATA_DIR`` by a sweep
(daily, ``opendata.sweeps``) and on demand (``manage.py publish_open_data``), and the
views hand out the file with the time it was generated. A file is written beside its
final name and renamed over it, so a reader gets the old file or the new one, never
half of one. ``manifest.json`` records, per file, when it was generated, its size,
rows and SHA-256.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from opendata import exports

logger = logging.getLogger(__name__)

MAX_AGE = timedelta(days=1)
MANIFEST = "manifest.json"

WRITERS = {
    "contracts.csv": exports.write_register_csv,
    "contracts.json": exports.write_register_json,
    "ocds.json": exports.write_ocds,
    "directory-hsds.json": exports.write_hsds_json,
    "directory-hsds.zip": exports.write_hsds_zip,
}


@dataclass(frozen=True)
class Published:
    filename: str
    path: Path
    generated_at: datetime
    size: int
    rows: int
    sha256: str


def open_data_dir() -> Path:
    path = Path(settings.OPEN_DATA_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def open_data_publish(*, only: Iterable[str] | None = None) -> dict[str, Published]:
    """Generate the files (all, or those named in ``only``) and record them in the
    manifest. One publication at a time per machine (a lock file); the others wait."""
    wanted = list(only) if only else list(WRITERS)
    unknown = set(wanted) - set(WRITERS)
    if unknown:
        raise ValueError(f"Unknown open-data files: {', '.join(sorted(unknown))}")
    directory = open_data_dir()
    results = {}
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The files' labels and links are those of the site's default language.
        with translation.override(settings.LANGUAGE_CODE):
            for filename in wanted:
                results[filename] = _publish_one(directory, filename)
        manifest = _read_manifest(directory)
        for filename, item in results.items():
            manifest[filename] = {
                "generated_at": item.generated_at.isoformat(),
                "size": item.size,
                "rows": item.rows,
                "sha256": item.sha256,
            }
        _write_atomically(directory / MANIFEST, json.dumps(manifest, indent=1).encode())
    return results


def _publish_one(directory: Path, filename: str) -> Published:
    generated_at = timezone.now()
    final = directory / filename
    temporary = final.with_name(f".{filename}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    with open(temporary, "wb") as out:
        rows = WRITERS[filename](out, generated_at=generated_at)
    with open(temporary, "rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    os.replace(temporary, final)
    size = final.stat().st_size
    logger.info("open data: %s, %d rows, %d bytes", filename, rows, size)
    return Published(filename, final, generated_at, size, rows, digest.hexdigest())


def published(filename: str) -> Published | None:
    """The file as last published, or None if it never was."""
    directory = open_data_dir()
    entry = _read_manifest(directory).get(filename)
    path = directory / filename
    if not entry or not path.exists():
        return None
    return Published(
        filename,
        path,
        cast(datetime, parse_datetime(entry["generated_at"])),  # written by _write_manifest
        entry["size"],
        entry["rows"],
        entry["sha256"],
    )


def ensure_published(filename: str) -> Published:
    """The published file, generating it first if it never was (a fresh install before
    its first sweep)."""
    item = published(filename)
    if item is None:
        open_data_publish(only=[filename])
        item = published(filename)
    return cast(Published, item)  # just published


def stale(*, now: datetime | None = None) -> list[str]:
    """The files missing or older than a day."""
    now = now or timezone.now()
    out = []
    for filename in WRITERS:
        item = published(filename)
        if item is None or now - item.generated_at >= MAX_AGE:
            out.append(filename)
    return out
