"""Writing checked rows as needs, in bulk, with exactly what the form's services write.

``needs.services.need_create`` followed by ``scheme_checks_record`` costs some seventy
queries a need (savepoints, eight ``update_or_create``, two audit appends each locking
the chain head): about 15 ms, two and a half minutes for 10,000 rows. This writes the
same rows a chunk at a time: the beneficiary in the vault (the same encrypted fields and
keyed hash of the ID number), the household, the need as a draft with the same response
deadline, the ``create`` NeedEvent, one SchemeCheck per scheme with the gap reason, and
per need the same two audit entries (``need.create`` and ``need.scheme_check``, same
summaries, same chain) through ``audit.services.record_many``.

What those services check before writing is checked for every row by
``imports.validation`` just before (the same functions: ``needs.rules`` for the card,
``BeneficiaryForm`` for the person, the user's declared relatives by keyed hash) and
``can_record_need`` once for the import. ``tests/imports/test_services.py`` compares an
imported need with one recorded through the services, field by field.

Runs inside the caller's transaction; writes nothing of its own accord.
"""

from __future__ import annotations

from django.utils import timezone

from audit.services import record_many
from core.crypto import keyed_hash
from needs.models import Beneficiary, HouseholdMember, Need, NeedEvent, NeedState, SchemeCheck
from needs.services import NEED_FIELDS
from needs.workflow import response_window

CHUNK = 500


def write_needs(*, agency, by, rows, progress=None) -> list[int]:
    """Create a draft need for each ``imports.validation.ValidRow``; their pks, in order.

    ``progress(n)`` is called after each chunk with the number of rows written so far.
    """
    created: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        now = timezone.now()
        people = Beneficiary.objects.bulk_create(
            [
                Beneficiary(
                    agency=agency,
                    id_hash=keyed_hash(row.beneficiary["id_number"], purpose="resident-id"),
                    created_by=by,
                    **row.beneficiary,
                )
                for row in chunk
            ]
        )
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(beneficiary=person, relation=m["relation"], age=m["age"], name=m.get("name", ""))
                for row, person in zip(chunk, people, strict=True)
                for m in row.household
            ]
        )
        needs = Need.objects.bulk_create(
            [
                Need(
                    agency=agency,
                    beneficiary=person,
                    prepared_by=by,
                    response_deadline=now + response_window(row.data["urgency"]),
                    gap_reason=row.gap_reason,
                    gap_note=row.gap_note.strip(),
                    **{f: row.data[f] for f in NEED_FIELDS},
                )
                for row, person in zip(chunk, people, strict=True)
            ]
        )
        NeedEvent.objects.bulk_create(
            [
                NeedEvent(need=need, action="create", from_state=NeedState.DRAFT, to_state=NeedState.DRAFT, by=by)
                for need in needs
            ]
        )
        SchemeCheck.objects.bulk_create(
            [
                SchemeCheck(need=need, scheme=scheme, answer=answer, note=note)
                for row, need in zip(chunk, needs, strict=True)
                for scheme, (answer, note) in row.answers.items()
            ]
        )
        entries = []
        for row, need in zip(chunk, needs, strict=True):
            entries.append(("need.create", need, {"after": {"state": need.state, "agency": agency.pk}}))
            entries.append(
                (
                    "need.scheme_check",
                    need,
                    {"answers": {k: v[0] for k, v in row.answers.items()}, "gap_reason": row.gap_reason},
                )
            )
        record_many(entries=entries, actor=by)
        created.extend(need.pk for need in needs)
        if progress is not None:
            progress(len(created))
    return created
