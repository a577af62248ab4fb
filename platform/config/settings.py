"""Safetynet settings.

The environment is read once, through ``config.env``. With no environment at all
you get the embedded default: SQLite and private media under ``var/``, database
search, console email, tasks run in-process and a local-memory cache. Each
variable switches one integration on; ``DJANGO_ENV=production`` tightens
everything and refuses to start with a weak secret. docs/operations.md lists
every variable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config import env

PLATFORM_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PLATFORM_DIR.parent
VAR_DIR = Path(env.get("SAFETYNET_VAR_DIR") or BASE_DIR / "var")

DJANGO_ENV = env.get("DJANGO_ENV", "development").lower()
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test" or "pytest" in sys.modules

if PRODUCTION:
    SECRET_KEY = env.get("SECRET_KEY")
    env.check_secret_key(SECRET_KEY)
else:
    # A fixed key outside production keeps sessions valid across restarts of `make run`.
    SECRET_KEY = env.get("SECRET_KEY") or "dev-only-not-secret-7f1c0b9e4d2a6c8e5b3f1a9d7c5e3b1f"

# Old keys still accepted for signatures while sessions and links made with them expire.
SECRET_KEY_FALLBACKS = env.get_list("SECRET_KEY_FALLBACKS")

DEBUG = env.get_bool("DEBUG", default=not PRODUCTION and not TESTING)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if TESTING:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Ours first, so our templates override those of the packages.
    "core",
    "website",
    "accounts",
    "regions",
    "agencies",
    "organisations",
    "categories",
    "vetting",
    "needs",
    "contracts",
    "donations",
    "imports",
    "audit",
    "notifications",
    "transparency",
    "cms",
    "matching",
    "reports",
    "opendata",
    "supervision",
    # Wagtail.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Tasks with a real worker at scale; the tables exist in every shape.
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
]
# Widgets render from our templates/ too (the region picker).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files in every shape, so gunicorn needs no proxy for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.QueryLengthMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "website.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {"default": env.database_from_url(env.get("DATABASE_URL"), sqlite_path=VAR_DIR / "safetynet.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "safetynet"}}

# Sessions live in the database so that every one of a user's sessions can be ended.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = 30 * 60  # seconds without a request before the session ends
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60  # seconds after login, whatever the activity
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = True  # each request pushes the idle deadline forward
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Tasks ------------------------------------------------------------------
# In-process by default; TASKS_BACKEND=database hands them to `manage.py db_worker`.
TASKS_BACKEND = env.get("TASKS_BACKEND", "immediate").lower()
if TASKS_BACKEND not in {"immediate", "database"}:
    raise env.ConfigurationError(f"TASKS_BACKEND must be 'immediate' or 'database', not {TASKS_BACKEND!r}.")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django.tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default", "email", "search", "imports"],
    }
}

# --- Search -----------------------------------------------------------------
ELASTICSEARCH_URL = env.get("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX_PREFIX = env.get("ELASTICSEARCH_INDEX_PREFIX", "safetynet")
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "database"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Email ------------------------------------------------------------------
if PRODUCTION and not env.get("EMAIL_URL"):
    raise env.ConfigurationError("EMAIL_URL is required in production: invitations and reminders go by email.")
_email = env.email_from_url(env.get("EMAIL_URL"))
MAILERS = {"default": {"BACKEND": _email.backend, "OPTIONS": _email.options}}
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "Safetynet 救助衔接平台 <noreply@safetynet.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[Safetynet] "

# --- Payments ---------------------------------------------------------------
STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env.get("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env.get("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env.get("STRIPE_API_BASE")  # localstripe: the demo's stand-in, the tests
STRIPE_JS_URL = env.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
if PRODUCTION:
    env.check_stripe_endpoints(api_base=STRIPE_API_BASE, js_url=STRIPE_JS_URL)
# Where the demo's Stripe stand-in keeps its objects (manage.py stripe_standin, never in
# production); beside the database, whose donations name them.
STRIPE_STANDIN_STATE = None if PRODUCTION or TESTING else VAR_DIR / "localstripe.pickle"
PAYMENT_CURRENCY = env.get("PAYMENT_CURRENCY", "cny")
# Donations (public co-funding of needs): taken only when both Stripe keys are set.
# Amounts are integers of minor units (fen): 100 is one yuan.
DONATION_CURRENCY = env.get("DONATION_CURRENCY", PAYMENT_CURRENCY).lower()
DONATION_MIN_MINOR = int(env.get("DONATION_MIN_MINOR", "100"))
DONATION_MAX_MINOR = int(env.get("DONATION_MAX_MINOR", "5000000"))

# --- Field encryption -------------------------------------------------------
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt, so a
# key is rotated by prepending a new one and running `manage.py rotate_field_keys`.
FIELD_ENCRYPTION_KEYS = env.get_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise env.ConfigurationError("FIELD_ENCRYPTION_KEYS is required in production.")
    # Development only: a fixed, public key. Never protects real data.
    FIELD_ENCRYPTION_KEYS = ["ZGV2LW9ubHktZmllbGQta2V5LW5vdC1zZWNyZXQtISE="]
env.check_fernet_keys(FIELD_ENCRYPTION_KEYS)
# The key of the keyed hashes (resident ID numbers): never rotated, so that a person
# recorded years apart is still found; kept apart from SECRET_KEY, which is.
IDENTITY_HASH_KEY = env.get("IDENTITY_HASH_KEY")
if PRODUCTION and len(IDENTITY_HASH_KEY) < 32:
    raise env.ConfigurationError("IDENTITY_HASH_KEY (at least 32 random characters) is required in production.")

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # Failed logins are limited per IP and per account (allauth's login_failed key).
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Safetynet"
# WebAuthn needs a secure origin; http://127.0.0.1 is allowed only outside production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
USERSESSIONS_TRACK_ACTIVITY = True

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PLATFORM_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        # Beneficiary consent forms, vetting documents and evidence: outside every
        # served folder, handed out only by views that check permission.
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Open data (opendata.publish): the generated files, served by their views; OCDS_PREFIX
# is the ocid prefix registered with the Open Contracting Partnership.
OPEN_DATA_DIR = Path(env.get("OPEN_DATA_DIR") or VAR_DIR / "opendata")
OCDS_PREFIX = env.get("OCDS_PREFIX", "ocds-sfnt01")
MEDIA_URL = "/media/"  # public CMS images and documents only
MEDIA_ROOT = VAR_DIR / "media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # the embedded default keeps everything under var/

# Bodies: uploads are capped at 20 MB by the forms that take them; anything larger is
# refused before Django reads it.
MAX_REQUEST_BODY_BYTES = 25 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Query strings: a longer name or value is a 400 (core.middleware.QueryLengthMiddleware).
# A saved search keeps up to 2,000 characters of query string, so no value needs more.
MAX_QUERY_VALUE_CHARS = 2000

# --- Wagtail ----------------------------------------------------------------
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # passwords are managed through allauth
WAGTAIL_SITE_NAME = "Safetynet 救助衔接平台"
WAGTAILADMIN_BASE_URL = env.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "csv", "txt", "odt", "ods"]
# A PDF an editor uploads is checked for active content (issue 17), and every document is
# served as an attachment: Wagtail's serve view cannot sandbox an inline PDF, and the
# documents stored before the check were never checked.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms.DocumentForm"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
SITE_URL = WAGTAILADMIN_BASE_URL
if PRODUCTION and not env.get("SITE_URL"):
    raise env.ConfigurationError("SITE_URL is required in production: links in emails are built from it.")

# --- Security ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_STRIPE_CSP = env.stripe_csp_sources(STRIPE_JS_URL)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE, *_STRIPE_CSP["script-src"]],
    # Wagtail's admin sets inline style attributes; scripts stay nonce-only.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF, *_STRIPE_CSP["connect-src"]],
    "frame-src": [CSP.SELF, *_STRIPE_CSP["frame-src"]],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Only behind a proxy that overwrites X-Forwarded-Proto/-For may they be believed.
TRUST_PROXY_HEADERS = env.get_bool("TRUST_PROXY_HEADERS")
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if PRODUCTION:
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if not ALLOWED_HOSTS:
        raise env.ConfigurationError("ALLOWED_HOSTS is required in production.")

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The beneficiary's token in /c/<token>/ never reaches a log line (core.log_redaction;
    # gunicorn's access log has its own door, --logger-class in the Dockerfile and compose).
    "filters": {"redact_tokens": {"()": "core.log_redaction.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's loggers and runserver's request lines through the redacting handler
        # instead of Django's own (its console handler, on with DEBUG, has no filter).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"level": "ERROR"},
        "django.tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # The PDF of a contract: its steps and font subsetting are not news.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SAFETYNET_SITE_NAME = _("Safetynet")
CSRF_FAILURE_VIEW = "website.views.csrf_failure"
