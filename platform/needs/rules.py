"""Checks on what a need may say: nothing that is never purchased (identity is the
identity guard's, ``core.identity_guard``). Each returns the offending part so the
message can point at it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The card's free texts: what organisations read, search and export. The identity guard
# (core.identity_guard) reads each of them.
CARD_TEXTS = ("title", "summary", "qualifications")


# Work that government keeps for itself and never buys (政府购买服务管理办法, Art. 10):
# eligibility decisions, paying out funds, supervision, handling complaints.
NEVER_PURCHASED = {
    "eligibility": (
        _("eligibility approval"),
        (
            "资格认定",
            "资格审核",
            "资格审批",
            "低保审批",
            "审核审批",
            "eligibility determination",
            "eligibility approval",
        ),
    ),
    "disbursement": (
        _("fund disbursement"),
        ("资金发放", "发放救助金", "救助金发放", "代发救助", "disburse", "fund disbursement"),
    ),
    "supervision": (_("supervision"), ("监督检查", "监管职责", "行政监督", "supervision of")),
    "complaints": (_("complaint handling"), ("投诉处理", "受理投诉", "处理投诉", "complaint handling")),
}


def find_never_purchased(text: str) -> tuple[str, str] | None:
    """(what, the phrase found) when the text asks for work that is never purchased."""
    lowered = text.lower()
    for label, phrases in NEVER_PURCHASED.values():
        for phrase in phrases:
            if phrase.lower() in lowered:
                return str(label), phrase
    return None
