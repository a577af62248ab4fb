"""The one door into the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from audit.models import AuditChainHead, AuditEntry, Outcome

if TYPE_CHECKING:
    from accounts.types import AnyUser


# Set by audit.middleware.RequestContextMiddleware, so services record the client
# address without ever taking a request.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)


def record(
    *,
    action: str,
    actor: AnyUser | None = None,
    obj: models.Model | None = None,
    summary: dict[str, Any] | None = None,
    outcome: str = Outcome.SUCCESS,
    ip: str | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry to the chain and return it.

    ``summary`` is a small before/after description (``{"before": ..., "after": ...}``),
    never identity data. Runs in its own atomic block; inside a caller's
    transaction the entry commits or rolls back with the change it describes.
    """
    (entry,) = record_many(
        entries=[(action, obj, summary)], actor=actor, outcome=outcome, ip=ip, actor_label=actor_label
    )
    return entry


def record_many(
    *,
    entries: Sequence[tuple[str, models.Model | None, dict[str, Any] | None]],
    actor: AnyUser | None = None,
    outcome: str = Outcome.SUCCESS,
    ip: str | None = None,
    actor_label: str = "",
) -> list[AuditEntry]:
    """Append several entries of one actor, in order, exactly as that many calls of
    ``record`` would (same content, same chain), with one lock of the chain head and
    one insert: for bulk work such as an import of thousands of needs.

    ``entries`` are ``(action, obj, summary)``.
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    if not entries:
        return []
    label = (actor.email if actor else actor_label)[:254]
    ip = ip or current_ip.get()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        created = []
        seq, prev_hash = head.last_seq, head.last_hash
        for action, obj, summary in entries:
            seq += 1
            entry = AuditEntry(
                seq=seq,
                at=datetime.now(UTC),
                actor_id=actor.pk if actor else None,
                actor_label=label,
                action=action,
                object_type=obj._meta.label_lower if obj is not None else "",
                object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
                object_repr=str(obj)[:200] if obj is not None else "",
                summary=_jsonable(summary or {}),
                ip=ip,
                outcome=outcome,
                prev_hash=prev_hash,
            )
            entry.hash = prev_hash = entry.compute_hash()
            created.append(entry)
        if len(created) == 1:
            created[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(created, batch_size=1000)
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return created


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"entry #{self.seq}: {self.problem}"


def audit_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Walk the chain in order and return the first break, or None when intact.

    Edited entry: its stored hash no longer matches its content. Deleted entry: a
    gap in the sequence, or the head points past the last entry. Inserted entry:
    its ``prev_hash`` does not match the entry before it (or its sequence repeats).
    """
    expected_prev = "0" * 64
    expected_seq = 1
    last_seq = 0
    qs = AuditEntry.objects.order_by("seq")
    start = 0
    while True:
        batch = list(qs.filter(seq__gt=start)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return ChainBreak(expected_seq, f"missing (deleted); the next entry present is #{entry.seq}")
            if entry.compute_hash() != entry.hash:
                return ChainBreak(entry.seq, "content does not match its hash (edited)")
            if entry.prev_hash != expected_prev:
                return ChainBreak(entry.seq, "does not chain onto the entry before it (inserted or replaced)")
            expected_prev = entry.hash
            expected_seq += 1
            last_seq = entry.seq
        start = batch[-1].seq
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_seq != last_seq or head.last_hash != expected_prev):
        return ChainBreak(last_seq + 1, f"missing (deleted); the chain head records #{head.last_seq}")
    return None
