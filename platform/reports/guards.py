"""Abuse resistance for a form anyone may send, without a third-party captcha.

A captcha service would show every reporter's address to a third party, and many are
unreachable from China; these checks cost a real person nothing:

- **Rate limits per client address** (``core.ratelimit``, never stored with a report):
  filing, code look-ups and additions each have their own budget.
- **A honeypot**: a field people never see (hidden by CSS, skipped by keyboard and
  screen readers) that form-filling robots fill in.
- **A signed form-issue time**: the form carries the time it was shown, signed with
  the site's secret. A form sent back within seconds was not filled in by a person; one
  older than 12 hours is refused too, so a harvested form cannot be replayed forever.
- **Limits on size and links** (in the form) and **duplicate detection** (in the
  service): the same text sent twice within 30 days is refused.

Every refusal tells the person what happened, and stores nothing.
"""

from __future__ import annotations

import time

from django.core import signing

from core.ratelimit import Limit

# Each POST of the report form counts, accepted or not: a person rarely needs more.
FILE_LIMIT = Limit("file", 10, 60 * 60)
# Wrong tracking codes: ten tries per quarter hour leave 2**80 codes unguessable.
TRACK_LIMIT = Limit("track", 10, 15 * 60)
# Additions to a report (information or files) from one address.
FOLLOW_UP_LIMIT = Limit("follow-up", 10, 60 * 60)

MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 12 * 60 * 60  # a long report may be written over an afternoon
_STAMP_SALT = "reports.form-issued"


def issue_stamp(*, now: float | None = None) -> str:
    """The signed time a form is shown at."""
    return signing.dumps(int(now if now is not None else time.time()), salt=_STAMP_SALT)


class StampProblem:
    MISSING = "missing"
    TOO_FAST = "too_fast"
    STALE = "stale"


def check_stamp(value: str, *, now: float | None = None) -> str | None:
    """None when the form was shown long enough ago, else a StampProblem."""
    now = now if now is not None else time.time()
    try:
        issued = signing.loads(value or "", salt=_STAMP_SALT, max_age=MAX_FORM_AGE)
    except signing.SignatureExpired:
        return StampProblem.STALE
    except signing.BadSignature:
        return StampProblem.MISSING
    if not isinstance(issued, int):
        return StampProblem.MISSING
    if now - issued < MIN_FILL_SECONDS:
        return StampProblem.TOO_FAST
    if now - issued > MAX_FORM_AGE:
        return StampProblem.STALE
    return None
