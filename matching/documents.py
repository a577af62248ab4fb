"""What the search index holds of a need: its anonymised card, never the person."""

from __future__ import annotations

from needs.models import Need, NeedState

# The states in which a need is searched for: open to organisations.
INDEXED_STATES = (NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN)


def is_indexed(need: Need) -> bool:
    return need.state in INDEXED_STATES


def searchable_text(need: Need) -> str:
    """The card's words: title, summary, the category in both languages, area and
    qualifications (kind and urgency are facets, not words)."""
    category = need.category
    parts = [
        need.title,
        need.summary,
        category.name_zh,
        category.name_en,
        need.region.full_name,
        need.qualifications,
    ]
    return "\n".join(p for p in parts if p)


# What ``document_for`` reads of a need and its relations (and no more: the rebuild loads
# every published need).
DOCUMENT_READS = (
    "id",
    "title",
    "summary",
    "qualifications",
    "kind",
    "urgency",
    "budget",
    "response_deadline",
    "published_at",
    "scope",
    "state",
    "category__code",
    "category__name_zh",
    "category__name_en",
    "region__path",
    "region__full_name",
    "agency__path",
)


def indexable(needs):
    """``needs`` (a queryset) loaded as ``document_for`` reads them."""
    from django.db.models import Prefetch

    from needs.models import NeedInvitation

    invitations = Prefetch("invitations", queryset=NeedInvitation.objects.only("id", "need_id", "organisation_id"))
    return needs.select_related("category", "region", "agency").only(*DOCUMENT_READS).prefetch_related(invitations)


def region_levels(path: str) -> list[str]:
    """ "51/5101/510129/510129001/" → the path at each level, province first."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def document_for(need: Need) -> dict:
    """The fields both backends index. ``need`` has its category, region and agency loaded."""
    from matching.text import token_string

    levels = [*region_levels(need.region.path), "", "", "", ""][:4]
    text = searchable_text(need)
    return {
        "id": need.pk,
        "title": need.title,
        "text": text,
        "tokens": token_string(text),  # the title's first (its line): ``title_tokens`` opens it
        "title_tokens": token_string(need.title),
        "category": need.category.code,
        "kind": need.kind,
        "urgency": need.urgency,
        "region_path": need.region.path,
        "region_l1": levels[0],
        "region_l2": levels[1],
        "region_l3": levels[2],
        "region_l4": levels[3],
        "agency_path": need.agency.path,
        "budget": need.budget,
        "response_deadline": need.response_deadline,
        "published_at": need.published_at,
        "scope": need.scope,
        "invited": sorted(i.organisation_id for i in need.invitations.all()),
        "qualifications": need.qualifications,
    }
