"""How text becomes search tokens, the same way on every backend.

Chinese (and Japanese and Korean) text is split into overlapping character bigrams, as
Elasticsearch's ``cjk`` analyzer does: 低保边缘家庭 → 低保 保边 边缘 缘家 家庭. A lone CJK
character stays a unigram. Latin words and numbers are words. Full-width forms fold to
half-width and Latin text is lower-cased (``cjk_width`` and ``lowercase``), and English
stop words are dropped (the Elasticsearch analyzer is given the same list). Stock
PostgreSQL and SQLite full-text search cannot do this themselves, so the database
backend indexes and queries the space-joined tokens.
"""

from __future__ import annotations

import re
import unicodedata

# Han (with extension A and compatibility ideographs), kana and hangul: the scripts the
# cjk analyzer bigrams (public: the CMS search splits the same runs).
CJK = (
    "\u3040-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
)
_RUN = re.compile(rf"([{CJK}]+)|([0-9a-z]+)")

# English stop words (Lucene's English list). The Elasticsearch backend gives its cjk
# analyzer this same list, so both backends drop exactly these words.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


def normalise(text: str) -> str:
    """Full-width to half-width (ＡＢＣ１２３ → abc123), then lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """The tokens of a text, in order (repeats kept: a phrase is consecutive tokens)."""
    out: list[str] = []
    for cjk, word in _RUN.findall(normalise(text)):
        if cjk:
            if len(cjk) == 1:
                out.append(cjk)
            else:
                out.extend(map(str.__add__, cjk, cjk[1:]))  # each character and the next
        elif word not in STOP_WORDS:
            out.append(word)
    return out


def token_string(text: str) -> str:
    """Tokens joined by spaces: what the database backend stores and matches."""
    return " ".join(tokens(text))
