"""Helpers for tests of any app: writers started at the same instant, and a condition
waited for (a live server, a thread, a webhook) without a fixed sleep."""

from __future__ import annotations

import threading
import time

from django.db import OperationalError, connections


def run_in_threads(count: int, target) -> list[BaseException]:
    """Call ``target(i)`` on ``count`` threads released together by a barrier, each with
    its own database connection; returns what they raised (the test asserts on it)."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def wait_for(condition, *, timeout: float = 15.0, what: str = "condition"):
    """Poll ``condition`` until it returns something true (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError as error:
            # When the live server shares this thread's in-memory SQLite (the browser test
            # run together with the rest of the suite; `make e2e` gives it a WAL file), a
            # read while the webhook's transaction writes finds the table locked. Ask again.
            if "locked" not in str(error):
                raise
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
