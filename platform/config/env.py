"""Read the environment once, into plain values the settings module uses.

Nothing else in the code base reads ``os.environ``: every integration is switched
on here by the presence of its variable, so the embedded default is simply "no
environment at all".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigurationError(RuntimeError):
    """The environment describes a deployment that must not start."""


def get(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def get_bool(name: str, default: bool = False) -> bool:
    raw = get(name)
    if not raw:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


def with_overrides(values: dict[str, str]) -> dict[str, str]:
    """This process's environment with ``values`` set: for a child process (the Stripe
    stand-in hands its variables to the server this way)."""
    return {**os.environ, **values}


def get_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = get(name)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str, *, sqlite_path: Path) -> dict:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES['default']`` entry.

    Supported: ``postgres://``/``postgresql://`` and ``sqlite:///path``. An empty
    URL gives the embedded SQLite database under ``var/``.
    """
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            # WAL lets the sweeps and the web server read while one writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path[1:]) or ":memory:"}
    if parts.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres:// or sqlite:///).")


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False

    @property
    def options(self) -> dict:
        if not self.backend.endswith("smtp.EmailBackend"):
            return {}
        return {
            "host": self.host,
            "port": self.port,
            "username": self.user,
            "password": self.password,
            "use_tls": self.use_tls,
            "use_ssl": self.use_ssl,
            "timeout": 10,
        }


def email_from_url(url: str) -> EmailConfig:
    """``EMAIL_URL``: ``smtp://user:pass@host:port``, ``smtp+tls://``, ``smtps://``,
    ``console://`` or ``locmem://``. Empty gives the console backend."""
    if not url:
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if scheme == "locmem":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend")
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname or "localhost",
            port=parts.port or (465 if scheme == "smtps" else 587 if scheme == "smtp+tls" else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=scheme == "smtp+tls",
            use_ssl=scheme == "smtps",
        )
    raise ConfigurationError(f"EMAIL_URL scheme {scheme!r} is not supported.")


WEAK_SECRETS = {"", "changeme", "change-me", "secret", "django-insecure", "dev"}


def check_secret_key(secret: str) -> None:
    """Production refuses a missing, short or obviously placeholder secret."""
    if (
        secret.lower() in WEAK_SECRETS
        or secret.startswith("django-insecure")
        or secret.startswith("dev-only")
        or len(secret) < 50
        or len(set(secret)) < 5
    ):
        raise ConfigurationError(
            "SECRET_KEY is missing or weak: production needs at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )


def check_fernet_keys(keys: list[str]) -> None:
    """Fail at start-up, not at the first encryption, on a malformed key."""
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key (32 url-safe base64 bytes)."
            ) from exc


def check_stripe_endpoints(*, api_base: str, js_url: str) -> None:
    """Production talks to Stripe over https only: a plain-http endpoint is a local
    stand-in (localstripe) or a mistake, never a place to send donors' payments."""
    for name, url in (("STRIPE_API_BASE", api_base), ("STRIPE_JS_URL", js_url)):
        if url and urlsplit(url).scheme != "https":
            raise ConfigurationError(f"{name} must be an https URL in production (a local stand-in never is).")


def stripe_csp_sources(js_url: str) -> dict[str, list[str]]:
    """What the Content Security Policy allows for Stripe.js at ``js_url``. Stripe's own
    talks to Stripe's API and frames the Payment Element from its origin; a stand-in
    (localstripe: the demo's, the tests') gets its origin alone."""
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(js_url))
    script = js_url.rsplit("/", 2)[0] + "/"
    if origin == "https://js.stripe.com/":
        return {
            "script-src": [script],
            "connect-src": ["https://api.stripe.com/", origin],
            "frame-src": ["https://js.stripe.com/", "https://hooks.stripe.com/"],
        }
    return {"script-src": [origin], "connect-src": [origin], "frame-src": [origin]}
