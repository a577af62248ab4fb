"""Checks on what a need may say: no identity in the summary, nothing that is never
purchased. Each returns the offending part so the message can point at it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# 18-digit resident ID (last character may be X), the old 15-digit one, mainland
# mobile numbers and landlines with an area code.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")


@dataclass(frozen=True)
class Leak:
    kind: str
    fragment: str

    @property
    def message(self) -> str:
        labels = {"id": _("an ID number"), "phone": _("a phone number"), "name": _("the beneficiary's name")}
        return str(
            _("The summary contains %(what)s: “%(part)s”. Remove it; the card must not identify anyone.")
            % {"what": labels[self.kind], "part": self.fragment}
        )


def find_identity_leak(text: str, *, name: str = "") -> Leak | None:
    """The first piece of identity in ``text``, or None."""
    for kind, pattern in (("id", _ID_RE), ("phone", _MOBILE_RE), ("phone", _LANDLINE_RE)):
        match = pattern.search(text)
        if match:
            return Leak(kind, match.group(0))
    name = name.strip()
    # A two-character name is common in Chinese; shorter fragments would match everything.
    if len(name) >= 2 and name in text:
        return Leak("name", name)
    return None


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
