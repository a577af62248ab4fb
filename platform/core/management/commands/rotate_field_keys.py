"""Re-encrypt every EncryptedTextField value under the newest key in FIELD_ENCRYPTION_KEYS.

How a key is rotated:

1. Prepend a new key to FIELD_ENCRYPTION_KEYS and deploy it to every process (web, tasks,
   sweeps), so that nothing writes with the old key any more.
2. Run ``manage.py rotate_field_keys``. It re-encrypts values made with an older key,
   encrypts any plain text left from before a column was encrypted, and leaves values
   already under the newest key alone, so a second run changes nothing and an interrupted
   run can simply be repeated.
3. When ``rotate_field_keys --dry-run`` reports nothing to rotate or encrypt and no
   undecryptable values, remove the old key. Removing it earlier makes those values
   unreadable for good.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from core import crypto
from core.fields import EncryptedTextField

BATCH_SIZE = 500
# Enough primary keys to find the broken rows without flooding the terminal.
MAX_REPORTED_FAILURES = 20


@dataclass
class RotationResult:
    """Counts of values (one field of one row) by what was, or would be, done to them."""

    rows: int = 0
    rows_updated: int = 0
    rotated: int = 0  # a token of an older key, re-encrypted
    encrypted: int = 0  # plain text, encrypted
    current: int = 0  # already under the newest key
    empty: int = 0  # NULL or ""
    undecryptable: int = 0  # rows (not values) holding a token no key opens; left untouched
    failed_pks: list[object] = field(default_factory=list)  # the first few, for the report


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    # Local fields only: a multi-table child's inherited columns live in, and are rotated
    # with, the parent's table.
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def models_with_encrypted_fields(*, registry: Apps = django_apps) -> list[type[models.Model]]:
    # A proxy shares its concrete model's table; rotating it too would do the work twice.
    return [m for m in registry.get_models() if not m._meta.proxy and encrypted_fields(m)]


def _raw_values(
    queryset: models.QuerySet[models.Model], names: list[str]
) -> models.QuerySet[models.Model, tuple[Any, ...]]:
    # Read the stored tokens, not the field's decrypted values: casting to a plain
    # TextField skips EncryptedTextField.from_db_value.
    casts = {f"_raw_{i}": Cast(name, output_field=models.TextField()) for i, name in enumerate(names)}
    rows: models.QuerySet[models.Model, tuple[Any, ...]] = queryset.annotate(**casts).values_list("pk", *casts)
    return rows


def _new_value(stored: str | None) -> tuple[str | None, str]:
    """The value to store instead of ``stored``, and which ``RotationResult`` count it adds to.

    Raises ``DecryptionError`` for a token no key opens.
    """
    if stored is None or stored == "":
        return stored, "empty"
    if not crypto.looks_like_token(stored):
        return crypto.encrypt(stored), "encrypted"
    if crypto.is_current(stored):
        return stored, "current"
    return crypto.rotate(stored), "rotated"


def _rotate_rows(
    *, model: type[models.Model], names: list[str], rows: Iterable[tuple[Any, ...]], result: RotationResult
) -> list[models.Model]:
    """Unsaved instances carrying the new tokens of the rows that change."""
    changed = []
    for pk, *stored_values in rows:
        result.rows += 1
        try:
            new_values = [_new_value(stored) for stored in stored_values]
        except crypto.DecryptionError:
            # Leave the whole row alone: bulk_update writes every listed field, and writing
            # this one back would encrypt the unopenable token a second time.
            result.undecryptable += 1
            if len(result.failed_pks) < MAX_REPORTED_FAILURES:
                result.failed_pks.append(pk)
            continue
        for _value, outcome in new_values:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if any(outcome in {"encrypted", "rotated"} for _value, outcome in new_values):
            instance = model(pk=pk)
            for name, (value, _outcome) in zip(names, new_values, strict=True):
                setattr(instance, name, value)
            changed.append(instance)
    return changed


def rotate_model_fields(
    *, model: type[models.Model], dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> RotationResult:
    """Bring every EncryptedTextField value of ``model`` under the newest key.

    Writes one transaction per batch of ``batch_size`` rows, each batch re-read under
    ``select_for_update`` so that an edit saved meanwhile is not overwritten with the old
    value. With ``dry_run`` nothing is written or locked and the counts say what would be done.
    """
    names = [f.name for f in encrypted_fields(model)]
    result = RotationResult()
    if not names:
        return result
    manager = model._base_manager
    pks = manager.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=batch_size)
    for batch in batched(pks, batch_size, strict=False):
        if dry_run:
            _rotate_rows(model=model, names=names, rows=_raw_values(manager.filter(pk__in=batch), names), result=result)
            continue
        with transaction.atomic():
            rows = _raw_values(manager.select_for_update().filter(pk__in=batch), names)
            changed = _rotate_rows(model=model, names=names, rows=rows, result=result)
            if changed:
                # The instances carry tokens of ours, which EncryptedTextField stores as they are.
                manager.bulk_update(changed, names)
                result.rows_updated += len(changed)
    return result


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the newest FIELD_ENCRYPTION_KEYS key and encrypt "
        "any plain text left in those columns. Idempotent; --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would change; write nothing")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows per transaction")

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        found = models_with_encrypted_fields()
        if not found:
            self.stdout.write("No model has an EncryptedTextField.")
            return
        verb = "would rotate" if dry_run else "rotated"
        broken = []
        for model in found:
            result = rotate_model_fields(model=model, dry_run=dry_run, batch_size=batch_size)
            updated = "" if dry_run else f", {result.rows_updated} rows updated"
            self.stdout.write(
                f"{model._meta.label}: {result.rows} rows{updated}; {verb} {result.rotated}, "
                f"{'would encrypt' if dry_run else 'encrypted'} {result.encrypted} plain, "
                f"{result.current} already current, {result.empty} empty, {result.undecryptable} undecryptable rows"
            )
            if result.undecryptable:
                broken.append(f"{model._meta.label} (pk {', '.join(map(str, result.failed_pks))})")
        if broken:
            # Non-zero exit so that a deployment script stops before an old key is removed.
            raise CommandError(
                "Some values open with no configured key and were left as they are: "
                + "; ".join(broken)
                + ". Restore the missing key, run again, and only then remove old keys."
            )
        self.stdout.write(self.style.SUCCESS("Done." if not dry_run else "Dry run: nothing written."))
