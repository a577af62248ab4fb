"""Rate limits per client address (``core.ratelimit``): each limit its own budget, each
address its own count, and no address in the cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core import ratelimit

LIMIT = ratelimit.Limit("test", 3, 60)
OTHER = ratelimit.Limit("other", 3, 60)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(address: str):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_the_budget_is_spent_per_address_and_per_limit():
    first, second = request_from("203.0.113.5"), request_from("198.51.100.7")
    assert [ratelimit.spend(LIMIT, first) for _ in range(4)] == [True, True, True, False]
    assert ratelimit.over_limit(LIMIT, first)
    assert not ratelimit.over_limit(LIMIT, second) and ratelimit.spend(LIMIT, second)
    assert not ratelimit.over_limit(OTHER, first)


def test_the_cache_holds_no_address():
    ratelimit.count(LIMIT, request_from("203.0.113.5"))
    keys = [k for k in getattr(cache, "_cache", {})]  # the local-memory cache of the tests
    assert keys and not any("203.0.113.5" in str(k) for k in keys)
