"""The demo's report from the public, so the auditors' queue is not empty. Its
tracking code is fixed (and printed in docs/architecture.md) so a newcomer can follow
it at /report/track/. Idempotent; called from ``website.demo.seed_demo``."""

from __future__ import annotations

from typing import cast

from contracts.models import Contract
from reports import codes
from reports.models import Report, ReportEvent, SubjectKind
from reports.selectors import resolve_subject
from reports.services import fingerprint

DEMO_CODE = "DEM0-REP0-RT26-SAFE"  # typing O for 0 works too: DEMO-REPO-RT26-SAFE
DESCRIPTION = (
    "我注意到大邑县的一份助餐服务合同，承接机构的负责人似乎是审批人员的亲属，"
    "而且服务开始后老人家里很少见到上门的工作人员。希望核实签约过程是否公平，服务是否按合同提供。"
)


def seed_report() -> None:

    digest = cast(str, codes.code_hash(DEMO_CODE))  # a valid code
    if Report.objects.filter(code_hash=digest).exists():
        return

    contract = Contract.objects.order_by("pk").first()
    kind, text = (SubjectKind.CONTRACT, contract.number) if contract else (SubjectKind.OTHER, "")
    report = Report.objects.create(
        subject_kind=kind,
        subject_text=text,
        **resolve_subject(kind, text),
        description=DESCRIPTION,
        language="zh-hans",
        code_hash=digest,
        fingerprint=fingerprint(DESCRIPTION),
    )
    ReportEvent.objects.create(report=report, action="file", to_state=report.state)
