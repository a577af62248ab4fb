"""Reads of reports: only auditors see any, and what a typed reference names."""

from __future__ import annotations

import re
from typing import TypedDict

from django.db.models import QuerySet

from accounts import policy
from accounts.types import AnyUser
from agencies.models import Agency
from contracts.models import Contract
from needs.models import Need
from organisations.models import Organisation
from reports import codes
from reports.models import Report, ReportState, SubjectKind


class ReportSubject(TypedDict, total=False):
    """What a report is about, as the report's own fields: at most one of them."""

    need: Need
    contract: Contract
    organisation: Organisation
    agency: Agency


_NEED_REFERENCE = re.compile(r"^\s*N?\s*0*(\d{1,9})\s*$", re.IGNORECASE)


def reports_visible_to(user: AnyUser) -> QuerySet[Report]:
    """Every report for auditors; none for anyone else (whoever they are, even the subject)."""
    if not policy.can_handle_reports(user):
        return Report.objects.none()
    return Report.objects.select_related("need", "contract", "organisation", "agency")


def report_queue(user: AnyUser, *, state: str = "", subject_kind: str = "") -> QuerySet[Report]:
    """The auditors' queue: not yet closed by default, oldest first so nothing waits forever."""
    reports = reports_visible_to(user)
    if state == "all":
        pass
    elif state in ReportState.values:
        reports = reports.filter(state=state)
    else:
        reports = reports.exclude(state=ReportState.CLOSED)
    if subject_kind in SubjectKind.values:
        reports = reports.filter(subject_kind=subject_kind)
    return reports.order_by("filed_at", "pk")


def report_for_code(code: str) -> Report | None:
    """The report a tracking code opens, or None for any code that opens none."""
    digest = codes.code_hash(code)
    return Report.objects.filter(code_hash=digest).first() if digest else None


def resolve_subject(kind: str, text: str) -> ReportSubject:
    """The object ``text`` names for ``kind``, as report fields (empty when none or
    several match). Public or not: the auditors should know. The reporter is never told."""
    text = (text or "").strip()
    if not text:
        return {}
    if kind == SubjectKind.NEED:
        match = _NEED_REFERENCE.match(text)
        need = Need.objects.filter(pk=int(match.group(1))).first() if match else None
        return {"need": need} if need else {}
    if kind == SubjectKind.CONTRACT:
        contracts = list(Contract.objects.filter(number__iexact=text)[:2])
        return {"contract": contracts[0]} if len(contracts) == 1 else {}
    if kind == SubjectKind.ORGANISATION:
        organisations = list(Organisation.objects.filter(legal_name=text)[:2]) or list(
            Organisation.objects.filter(uscc__iexact=text)[:2]
        )
        return {"organisation": organisations[0]} if len(organisations) == 1 else {}
    if kind == SubjectKind.AGENCY:
        agencies = list(Agency.objects.filter(name=text)[:2])
        return {"agency": agencies[0]} if len(agencies) == 1 else {}
    return {}
