"""The index: its analyzer, settings and mapping, and a document as the index stores it."""

from __future__ import annotations

from decimal import Decimal

from matching.text import STOP_WORDS

ANALYZER = "cjk_text"


REGION_LEVELS = 4

_KEYWORD = {"type": "keyword"}
_STORED = {"type": "keyword", "index": False, "doc_values": False}  # shown, never searched

INDEX_SETTINGS = {
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",  # a replica once a second node joins
    "analysis": {"analyzer": {ANALYZER: {"type": "cjk", "stopwords": sorted(STOP_WORDS)}}},
}

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "title": {"type": "text", "analyzer": ANALYZER},  # title clauses (query.TITLE)
        "text": {"type": "text", "analyzer": ANALYZER},
        "category": _KEYWORD,
        "kind": _KEYWORD,
        "urgency": _KEYWORD,
        "scope": _KEYWORD,
        "region_path": _KEYWORD,
        **{f"region_l{level}": _KEYWORD for level in range(1, REGION_LEVELS + 1)},
        "agency_path": _KEYWORD,
        "invited": {"type": "long"},  # organisation ids, an array
        "budget": {"type": "scaled_float", "scaling_factor": 100},  # CNY, to the fen
        # Nanosecond dates: the database orders by the microsecond, and so must this.
        "response_deadline": {"type": "date_nanos"},
        "published_at": {"type": "date_nanos"},
        "qualifications": _STORED,
    },
}


def source_of(document: dict) -> dict:
    """A ``matching.documents.document_for`` dict as the index stores it. Empty region
    levels are left out, so the region facet never counts a blank."""
    source = {
        "id": document["id"],
        "title": document["title"],
        "text": document["text"],
        "category": document["category"],
        "kind": document["kind"],
        "urgency": document["urgency"],
        "scope": document["scope"],
        "region_path": document["region_path"],
        "agency_path": document["agency_path"],
        "invited": list(document["invited"]),
        "budget": str(Decimal(document["budget"])),  # exact: the field parses it to the fen
        "response_deadline": document["response_deadline"].isoformat(),
        "published_at": document["published_at"].isoformat(),
        "qualifications": document["qualifications"],
    }
    for level in range(1, REGION_LEVELS + 1):
        if document[f"region_l{level}"]:
            source[f"region_l{level}"] = document[f"region_l{level}"]
    return source
