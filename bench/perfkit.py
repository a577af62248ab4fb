"""What the benchmark scripts share: the site on a WSGI server in a thread, a timed GET,
a throw-away PostgreSQL database, and the percentiles they report."""

from __future__ import annotations

import statistics
import threading
import time
import urllib.request


def serve() -> str:
    """The site on a WSGI server in a thread of this process (one client at a time)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    httpd = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}"


def get(url: str) -> float:
    """Seconds to fetch ``url`` whole (it must answer 200)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started


def postgres(server: str, *statements: str) -> None:
    """Run statements on the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def replay(path: str, *, rounds: int) -> list[float]:
    """The SQL statements the request ran, run again directly (the baseline)."""
    from django.db import connection
    from django.test import Client

    statements: list[tuple[str, tuple]] = []

    def record(execute, statement, parameters, many, context):
        statements.append((statement, parameters))
        return execute(statement, parameters, many, context)

    with connection.execute_wrapper(record):
        assert Client().get(path, headers={"host": "127.0.0.1"}).status_code == 200
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
        out.append(time.perf_counter() - started)
    return out
