"""What a visitor asks of the public register, read from the query string.

The register is a public page that people link to and bookmark, so every state lives
in the URL and nothing a URL says is an error: a filter naming something unknown (an
agency id that does not exist, a status we do not have, a year that is not a year)
gives an empty result that says so, an unknown sort falls back to the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.db.models.expressions import OrderBy
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from contracts.models import ContractState
from core.types import StrOrPromise
from regions.forms import resolve_region
from regions.models import Region

MAX_QUERY = 100
MAX_TERMS = 5

# The states a signed contract can be in.
REGISTER_STATES = [ContractState.ACTIVE, ContractState.COMPLETED, ContractState.CLOSED, ContractState.TERMINATED]

# key: (label, from, below) in CNY.
AMOUNT_BANDS = {
    "under-5k": (_("Under 5,000"), None, Decimal(5_000)),
    "5k-20k": (_("5,000 to 20,000"), Decimal(5_000), Decimal(20_000)),
    "20k-100k": (_("20,000 to 100,000"), Decimal(20_000), Decimal(100_000)),
    "100k-up": (_("100,000 and more"), Decimal(100_000), None),
}

REGISTER_SORTS: dict[str, tuple[StrOrPromise, tuple[str | OrderBy, ...]]] = {
    "signed": (_("Newest signed first"), ("-signed_at", "-pk")),
    "signed-oldest": (_("Oldest signed first"), ("signed_at", "pk")),
    "amount": (_("Largest amount first"), ("-price", "-pk")),
    "amount-smallest": (_("Smallest amount first"), ("price", "pk")),
    "paid": (_("Most paid first"), ("-paid_total", "-pk")),
    "score": (_("Best evaluated first"), (F("score").desc(nulls_last=True), "-pk")),
    "number": (_("Contract number"), ("number",)),
}
DEFAULT_SORT = "signed"

FILTER_KEYS = ("q", "agency", "organisation", "category", "region", "status", "year", "amount")


@dataclass
class RegisterQuery:
    q: str = ""
    agency: int | None = None
    organisation: int | None = None
    category: str = ""
    region: Region | None = None
    region_text: str = ""
    status: str = ""
    year: int | None = None
    amount: str = ""
    sort: str = DEFAULT_SORT
    # What could not be understood, as the page tells it; any of it empties the result.
    problems: list[StrOrPromise] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return bool(self.problems)

    @property
    def terms(self) -> list[str]:
        return self.q.split()[:MAX_TERMS]

    @property
    def filtered(self) -> bool:
        return bool(
            self.q
            or self.agency
            or self.organisation
            or self.category
            or self.region_text
            or self.status
            or self.year
            or self.amount
            or self.problems
        )

    @classmethod
    def from_query(cls, params: QueryDict) -> RegisterQuery:
        query = cls(q=" ".join(params.get("q", "").split())[:MAX_QUERY])
        query.agency = _id(params.get("agency", ""), query, _("Unknown buyer agency."))
        query.organisation = _id(params.get("organisation", ""), query, _("Unknown organisation."))
        query.category = params.get("category", "").strip()[:40]
        query.region_text = params.get("region", "").strip()[:100]
        if query.region_text:
            found = resolve_region(query.region_text)
            if isinstance(found, Region):
                query.region = found
            else:
                query.problems.append(
                    _("No single region matches “%(text)s”: type a six-digit code or a full name.")
                    % {"text": query.region_text}
                )
        status = params.get("status", "").strip()
        if status:
            if status in REGISTER_STATES:
                query.status = status
            else:
                query.problems.append(_("Unknown status."))
        year = params.get("year", "").strip()
        if year:
            if year.isdigit() and 2000 <= int(year) <= 2100:
                query.year = int(year)
            else:
                query.problems.append(_("Unknown year."))
        amount = params.get("amount", "").strip()
        if amount:
            if amount in AMOUNT_BANDS:
                query.amount = amount
            else:
                query.problems.append(_("Unknown amount band."))
        sort = params.get("sort", DEFAULT_SORT)
        query.sort = sort if sort in REGISTER_SORTS else DEFAULT_SORT
        return query


def _id(value: str, query: RegisterQuery, problem) -> int | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) < 12:
        return int(value)
    query.problems.append(problem)
    return None
