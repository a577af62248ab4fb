"""Tracking codes: what a reporter keeps to follow their report, and the only link
between them and it.

A code is 16 symbols of Crockford's base32 (80 random bits from ``secrets``), shown in
four groups of four: ``7KQ2-M9XF-3HDR-T0BW``. The alphabet has no I, L, O or U, so
nothing on the page can be misread; typing is forgiving the same way Crockford's is:
case, spaces and hyphens do not matter, and O reads as 0, I and L as 1.

Only the SHA-256 of the canonical code is stored. A keyed hash would add nothing here:
80 random bits cannot be searched from a stolen hash, and a key change would strand
every reporter.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.·]+")
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    """A fresh code, grouped for display."""
    return grouped("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def grouped(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def canonical(text: str) -> str | None:
    """The 16 symbols a typed code stands for, or None when it cannot be a code."""
    if not text or len(text) > 64:
        return None
    # NFKC folds the full-width letters and digits of a Chinese input method.
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper().translate(_READS_AS)
    return value if _VALID.fullmatch(value) else None


def code_hash(text: str) -> str | None:
    """The stored hash for a typed code, or None when it cannot be a code."""
    value = canonical(text)
    return hashlib.sha256(value.encode()).hexdigest() if value else None
