"""The environment switches integrations on, and production tightens everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import env

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "k" * 10 + "Zq8!v9Lm2#Xr5tYp7Wn3Bd6Hf1Jc4Gs0Ae8Ui2Oo5Kx7Mz9Qw"
FERNET_KEY = "q1Yl0fP0n7x0b1Z4vJ6e2HqQm9i5S3kT8rUuW4cXy0A="


def settings_in_subprocess(extra_env: dict[str, str], names: list[str]) -> subprocess.CompletedProcess:
    """Load config.settings in a fresh interpreter with exactly this environment."""
    code = (
        "import json, sys; sys.path[:0] = ['platform', '.'];"
        "import config.settings as s;"
        f"print(json.dumps({{n: repr(getattr(s, n, None)) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **extra_env}, capture_output=True, text=True, timeout=60
    )


def load(extra_env: dict[str, str], names: list[str]) -> dict[str, str]:
    result = settings_in_subprocess(extra_env, names)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_environment_gives_the_embedded_default():
    values = load({}, ["DATABASES", "CACHES", "TASKS", "SEARCH_BACKEND", "MAILERS", "DEBUG", "PRODUCTION"])
    assert "sqlite3" in values["DATABASES"] and "/var/safetynet.sqlite3" in values["DATABASES"]
    assert "LocMemCache" in values["CACHES"]
    assert "ImmediateBackend" in values["TASKS"]
    assert values["SEARCH_BACKEND"] == "'database'"
    assert "console.EmailBackend" in values["MAILERS"]
    assert values["PRODUCTION"] == "False"


def test_each_variable_switches_its_integration_on():
    values = load(
        {
            "DATABASE_URL": "postgres://u:p%40ss@db.internal:5433/safety",
            "REDIS_URL": "redis://cache:6379/0",
            "ELASTICSEARCH_URL": "http://es:9200",
            "EMAIL_URL": "smtp+tls://mailer:secret@mail.example:587",
            "TASKS_BACKEND": "database",
        },
        ["DATABASES", "CACHES", "TASKS", "SEARCH_BACKEND", "MAILERS"],
    )
    assert "'ENGINE': 'django.db.backends.postgresql'" in values["DATABASES"]
    assert "'PASSWORD': 'p@ss'" in values["DATABASES"] and "'PORT': '5433'" in values["DATABASES"]
    assert "RedisCache" in values["CACHES"]
    assert "django_tasks_db.DatabaseBackend" in values["TASKS"]
    assert values["SEARCH_BACKEND"] == "'elasticsearch'"
    assert "'use_tls': True" in values["MAILERS"] and "'host': 'mail.example'" in values["MAILERS"]


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": STRONG_SECRET,
    "ALLOWED_HOSTS": "safetynet.example",
    "FIELD_ENCRYPTION_KEYS": FERNET_KEY,
    "EMAIL_URL": "smtp://mail.example:25",
    "SITE_URL": "https://safetynet.example",
    "IDENTITY_HASH_KEY": "h" * 8 + "Qz7#Lp2!Vx9Wm4Rt6Yk1Nb3Jd5",
}


def test_production_tightens_cookies_hsts_and_debug():
    values = load(
        PRODUCTION_ENV,
        [
            "DEBUG",
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_NAME",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
            "SECURE_SSL_REDIRECT",
            "SECURE_CSP",
        ],
    )
    assert values["DEBUG"] == "False"
    assert values["SESSION_COOKIE_SECURE"] == "True"
    assert values["SESSION_COOKIE_NAME"] == "'__Host-sessionid'"
    assert values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SECURE_HSTS_SECONDS"] == "31536000"
    assert "default-src" in values["SECURE_CSP"]


@pytest.mark.parametrize(
    "secret",
    ["", "changeme", "dev-only-not-secret-7f1c0b9e4d2a6c8e5b3f1a9d7c5e3b1f", "short-secret", "a" * 80],
)
def test_production_refuses_a_missing_or_weak_secret(secret):
    result = settings_in_subprocess({**PRODUCTION_ENV, "SECRET_KEY": secret}, ["DEBUG"])
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


@pytest.mark.parametrize(
    "missing", ["FIELD_ENCRYPTION_KEYS", "EMAIL_URL", "ALLOWED_HOSTS", "SITE_URL", "IDENTITY_HASH_KEY"]
)
def test_production_refuses_to_run_without_required_variables(missing):
    result = settings_in_subprocess({**PRODUCTION_ENV, missing: ""}, ["DEBUG"])
    assert result.returncode != 0
    assert missing in result.stderr


def test_check_deploy_reports_nothing_under_production_settings():
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_rejects_unknown_schemes():
    with pytest.raises(env.ConfigurationError):
        env.database_from_url("mysql://root@localhost/x", sqlite_path=Path("x"))


def test_email_url_defaults_and_errors():
    assert env.email_from_url("").backend.endswith("console.EmailBackend")
    assert env.email_from_url("smtps://mail.example").port == 465
    with pytest.raises(env.ConfigurationError):
        env.email_from_url("carrier-pigeon://coop")


def test_a_malformed_encryption_key_stops_start_up():
    result = settings_in_subprocess({**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": f"{FERNET_KEY},not-a-key"}, ["DEBUG"])
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS entry 2 is not a valid Fernet key" in result.stderr


def test_a_mistyped_tasks_backend_stops_start_up():
    result = settings_in_subprocess({"TASKS_BACKEND": "db"}, ["TASKS"])
    assert result.returncode != 0
    assert "TASKS_BACKEND must be" in result.stderr


def test_proxy_headers_are_ignored_unless_trusted():
    assert load({}, ["SECURE_PROXY_SSL_HEADER"])["SECURE_PROXY_SSL_HEADER"] == "None"
    trusted = load({"TRUST_PROXY_HEADERS": "true"}, ["SECURE_PROXY_SSL_HEADER"])
    assert "HTTP_X_FORWARDED_PROTO" in trusted["SECURE_PROXY_SSL_HEADER"]


# --- Stripe: the demo's stand-in never reaches production --------------------------------


def test_production_without_keys_has_donations_off_and_no_stand_in():
    values = load(
        PRODUCTION_ENV,
        ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_API_BASE", "STRIPE_STANDIN_STATE", "SECURE_CSP"],
    )
    assert values["STRIPE_SECRET_KEY"] == values["STRIPE_PUBLISHABLE_KEY"] == values["STRIPE_API_BASE"] == "''"
    assert values["STRIPE_STANDIN_STATE"] == "None"
    assert "127.0.0.1" not in values["SECURE_CSP"] and "http://" not in values["SECURE_CSP"]


@pytest.mark.parametrize("name", ["STRIPE_API_BASE", "STRIPE_JS_URL"])
def test_production_refuses_a_plain_http_stripe_endpoint(name):
    result = settings_in_subprocess({**PRODUCTION_ENV, name: "http://127.0.0.1:8420/js.stripe.com/v3/"}, ["DEBUG"])
    assert result.returncode != 0
    assert f"{name} must be an https URL in production" in result.stderr


def test_make_runs_stripe_wrapper_starts_no_stand_in_in_production():
    """`make run`'s wrapper under production settings without keys: the command runs as
    it is, with no STRIPE_* variable, and says donations are off."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    child = [sys.executable, "-c", "import os; print(sorted(k for k in os.environ if k.startswith('STRIPE_')))"]
    result = subprocess.run(
        [sys.executable, "manage.py", "stripe_standin", "--site", "https://safetynet.example", "--", *child],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Donations: off" in result.stdout
    assert "localstripe" not in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_stand_in_gets_its_own_origin_alone_in_the_csp():
    sources = env.stripe_csp_sources("http://127.0.0.1:8420/js.stripe.com/v3/")
    assert sources == {d: ["http://127.0.0.1:8420/"] for d in ("script-src", "connect-src", "frame-src")}
    assert "https://api.stripe.com/" in env.stripe_csp_sources("https://js.stripe.com/v3/")["connect-src"]
