"""The beneficiary's token in /c/<token>/ is in no log line the production configuration
writes: gunicorn's access log as the Dockerfile and compose run it, and Django's own
loggers (runserver's request lines, errors)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from core.log_redaction import REDACTED, redact

ROOT = Path(settings.BASE_DIR)
TOKEN = "Zq7-kP2xW9mB4vLr"  # the shape of contracts' confirmation tokens


@pytest.mark.parametrize(
    "line",
    [
        f'GET /c/{TOKEN}/ HTTP/1.1" 200 512',
        f"POST /en/c/{TOKEN}/?x=1 HTTP/1.1",
        f'"https://safetynet.example.org/c/{TOKEN}/" "Mozilla/5.0"',
        f'"http://127.0.0.1:8000/en/c/{TOKEN}" "curl"',
        f"Internal Server Error: /c/{TOKEN}/",
        f"/accounts/login/?next=/c/{TOKEN}/",
    ],
)
def test_every_shape_of_the_path_is_redacted(line):
    assert TOKEN not in redact(line) and REDACTED in redact(line)


@pytest.mark.parametrize("line", ["GET /contracts/42/ HTTP/1.1", "GET /static/c/app.css", "GET /cms/pages/3/"])
def test_other_paths_are_left_alone(line):
    assert redact(line) == line


def test_runserver_and_django_errors_go_through_the_redacting_handler():
    for name in ("django.server", "django.request", "django.security.csrf"):
        logger = logging.getLogger(name)
        while not logger.handlers and logger.propagate and logger.parent:
            logger = logger.parent
        # pytest adds its own capturing handlers; the configured ones are the others.
        handlers = [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        assert handlers, name
        for handler in handlers:
            # runserver's own call: '"%s" %s %s' with the request line, status and size.
            record = logging.getLogger(name).makeRecord(
                name, logging.WARNING, __file__, 1, '"%s" %s %s', (f"GET /en/c/{TOKEN}/ HTTP/1.1", "200", "9"), None
            )
            assert handler.filter(record)
            assert TOKEN not in handler.format(record), (name, handler)


def _dockerfile_command() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", "")
    return json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))


def _compose_web_command() -> list[str]:
    text = (ROOT / "docker-compose.yml").read_text()
    block = text[text.index("\n  web:\n") :]
    block = block[block.index("    command:\n") + len("    command:\n") :]
    argv = []
    for line in block.splitlines():
        if line.strip().startswith("#"):
            continue
        item = re.match(r"^      - (.*)$", line)
        if not item:
            break
        argv.append(json.loads(item.group(1)) if item.group(1).startswith('"') else item.group(1))
    return argv


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


@pytest.mark.parametrize("argv", [_dockerfile_command(), _compose_web_command()], ids=["Dockerfile", "compose"])
def test_gunicorn_is_run_with_the_redacting_access_logger(argv):
    assert argv[0] == "gunicorn"
    assert _option(argv, "--access-logfile") == "-"
    assert _option(argv, "--logger-class") == "core.log_redaction.AccessLogger"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> None:
    # The status does not matter, the log line does.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10).read()


def test_a_real_gunicorn_keeps_the_token_out_of_its_logs(tmp_path):
    """gunicorn started as the Dockerfile starts it (paths and port made local), asked for
    the beneficiary's page and for what the page loads with it as the Referer."""
    argv = _dockerfile_command()
    port = _free_port()
    local = {"--chdir": str(ROOT), "--pythonpath": f"{ROOT / 'platform'},{ROOT}", "--bind": f"127.0.0.1:{port}"}
    argv = [local.get(argv[i - 1], arg) if i else arg for i, arg in enumerate(argv)]
    argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}",
        "SAFETYNET_VAR_DIR": str(tmp_path),  # an empty SQLite: the page fails, and that is logged too
        "DJANGO_ENV": "development",
        "DATABASE_URL": "",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen([*argv, "--workers", "1"], stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.3)
            base = f"http://127.0.0.1:{port}"
            _get(f"{base}/c/{TOKEN}/")
            _get(f"{base}/en/c/{TOKEN}/?lang=1")
            _get(f"{base}/static/favicon.ico", Referer=f"https://safetynet.example.org/c/{TOKEN}/")
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert text.count(f"/c/{REDACTED}/") >= 3, text  # the lines were written...
    assert TOKEN not in text, text  # ...without the token
