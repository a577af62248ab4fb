"""Rate limits per client address, counted in the cache.

The address is hashed into the key, so the cache holds no address; nothing of it is
stored with what the request sends. Each limit has its own budget (``Limit.name``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from core.middleware import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: int  # seconds


def _key(limit: Limit, request: HttpRequest) -> str:
    address = hashlib.sha256((client_ip(request) or "unknown").encode()).hexdigest()[:32]
    return f"rate:{limit.name}:{address}"


def over_limit(limit: Limit, request: HttpRequest) -> bool:
    """Whether this address has used its budget (does not count this request)."""
    return (cache.get(_key(limit, request)) or 0) >= limit.attempts


def count(limit: Limit, request: HttpRequest) -> int:
    """Count this request against the address's budget; the count so far."""
    key = _key(limit, request)
    cache.add(key, 0, timeout=limit.window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window)
        return 1


def spend(limit: Limit, request: HttpRequest) -> bool:
    """Count this request; whether it is within the budget."""
    return count(limit, request) <= limit.attempts
