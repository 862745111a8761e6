"""Talentloop settings: one module, every value from the environment (see .env.example)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines of `path` into the environment; variables already set win."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key.strip(), value)


if "PYTEST_VERSION" not in os.environ:  # tests must not depend on a developer's .env
    _load_dotenv(BASE_DIR / ".env")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_secret(name: str, dev_default: str) -> str:
    """A secret: required when DEBUG is off, a fixed development value otherwise."""
    value = os.environ.get(name, "")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when TALENTLOOP_DEBUG is off")
    return dev_default


DEBUG = env_bool("TALENTLOOP_DEBUG", True)
SECRET_KEY = env_secret("TALENTLOOP_SECRET_KEY", "dev-only-insecure-key-change-me-talentloop")
ALLOWED_HOSTS = env_list("TALENTLOOP_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("TALENTLOOP_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("TALENTLOOP_SITE_URL", "http://127.0.0.1:8000")
DATA_DIR = Path(env_str("TALENTLOOP_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # "ninja" serves its bundled Swagger UI assets, so /api/v1/docs works offline.
    "ninja",
    "django_tasks_db",
    "talentloop.core",
    "talentloop.accounts",
    "talentloop.candidates",
    "talentloop.compliance",
    "talentloop.duplicates",
    "talentloop.imports",
    "talentloop.resumes",
    "talentloop.jobs",
    "talentloop.pools",
    "talentloop.outreach",
    "talentloop.matching",
    "talentloop.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "talentloop.accounts.middleware.WorkspaceMiddleware",
    "talentloop.core.middleware.ServiceErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "talentloop.urls"
WSGI_APPLICATION = "talentloop.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "talentloop.accounts.context_processors.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; DATABASE_URL=postgresql://user:pass@host:port/name
# switches to PostgreSQL for several web and worker processes.
DATABASE_URL = env_str("DATABASE_URL", "")


def _database_from_url(url: str) -> dict[str, object]:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("TALENTLOOP_DB_CONN_MAX_AGE", 60),
            # A health check is a "SELECT 1" round trip at the start of every request (one in
            # five of the profile API's). Off: after a database restart, the first request on
            # each kept connection fails once and the connection is replaced.
            "CONN_HEALTH_CHECKS": env_bool("TALENTLOOP_DB_HEALTH_CHECKS", False),
            "OPTIONS": {
                "pool": False,
                # Parameters bound by the server, and each statement prepared from its second
                # run on a connection: planning every query again cost PostgreSQL a third of
                # its CPU on the hot reads (profile API 500 -> 650 requests/s at 1M).
                "server_side_binding": True,
                "prepare_threshold": 2,
                # Parallel workers per query: none by default. On a few busy cores their
                # start-up and competition made the same search take 12 to 103 ms from run to
                # run; without them 5 of 19 searches at 1M that missed 50 ms p95 fell to 2.
                "options": "-c max_parallel_workers_per_gather="
                f"{env_int('TALENTLOOP_DB_PARALLEL_WORKERS', 0)}",
            },
        }
    if parsed.scheme == "sqlite":
        return _sqlite(Path(unquote(parsed.path)))
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")


def _sqlite(path: Path) -> dict[str, object]:
    return {
        "ENGINE": "talentloop.core.sqlite",  # Django's, with writers queued on a file lock
        "NAME": path,
        # Opening a connection runs the PRAGMAs below: 0.9 ms, most of a small request.
        "CONN_MAX_AGE": env_int("TALENTLOOP_DB_CONN_MAX_AGE", 60),
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout
            # instead of failing with "database is locked" halfway through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
            ),
        },
    }


DATABASES = {
    "default": _database_from_url(DATABASE_URL)
    if DATABASE_URL
    else _sqlite(DATA_DIR / "talentloop.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks ---------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TALENTLOOP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- E-mail ---------------------------------------------------------------------------------
# Django 6.1 configures mail through MAILERS; EMAIL_HOST and friends must not be set beside it.
DEFAULT_FROM_EMAIL = env_str("TALENTLOOP_FROM_EMAIL", "Talentloop <talentloop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_SMTP_HOST = env_str("TALENTLOOP_SMTP_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _SMTP_HOST,
            "port": env_int("TALENTLOOP_SMTP_PORT", 587),
            "username": env_str("TALENTLOOP_SMTP_USER", ""),
            "password": env_str("TALENTLOOP_SMTP_PASSWORD", ""),
            "use_tls": env_bool("TALENTLOOP_SMTP_TLS", True),
            "timeout": 20,
        },
    }
    if _SMTP_HOST
    else {
        # Without an SMTP server, mail goes to files in DATA_DIR/mail (the demo prints them).
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
    }
}

# --- Outreach -------------------------------------------------------------------------------
# Which MAILERS entry outreach sends through (a separate alias can point at a bulk relay).
TALENTLOOP_OUTREACH_MAILER = env_str("TALENTLOOP_OUTREACH_MAILER", "default")
# Messages a worker claims at once, and after how long a dead worker's claim is taken over.
TALENTLOOP_OUTREACH_BATCH_SIZE = env_int("TALENTLOOP_OUTREACH_BATCH_SIZE", 500)
TALENTLOOP_OUTREACH_CLAIM_SECONDS = env_int("TALENTLOOP_OUTREACH_CLAIM_SECONDS", 120)
# SMTP connections each sending worker keeps open: messages go out that many at a time, with
# one database commit for the group (most relays accept 10 or more connections per client).
TALENTLOOP_OUTREACH_SMTP_CONNECTIONS = env_int("TALENTLOOP_OUTREACH_SMTP_CONNECTIONS", 8)
# Send tasks started for one campaign; each claims its own batches (listmonk's concurrency).
TALENTLOOP_OUTREACH_CONCURRENCY = env_int("TALENTLOOP_OUTREACH_CONCURRENCY", 2)
# Replies come back to reply+<token>@this domain (the inbound webhook or IMAP mailbox);
# blank: replies go to the sender's own address and are detected by IMAP only.
TALENTLOOP_REPLY_DOMAIN = env_str("TALENTLOOP_REPLY_DOMAIN", "")
# Shared secret of the bounce/complaint and inbound-mail webhooks (`Authorization: Bearer …`).
TALENTLOOP_INBOUND_SECRET = env_str("TALENTLOOP_INBOUND_SECRET", "")
# IMAP mailbox polled for replies and bounces (blank host: no polling).
TALENTLOOP_IMAP_HOST = env_str("TALENTLOOP_IMAP_HOST", "")
TALENTLOOP_IMAP_PORT = env_int("TALENTLOOP_IMAP_PORT", 993)
TALENTLOOP_IMAP_USER = env_str("TALENTLOOP_IMAP_USER", "")
TALENTLOOP_IMAP_PASSWORD = env_str("TALENTLOOP_IMAP_PASSWORD", "")
TALENTLOOP_IMAP_SSL = env_bool("TALENTLOOP_IMAP_SSL", True)
TALENTLOOP_IMAP_FOLDER = env_str("TALENTLOOP_IMAP_FOLDER", "INBOX")
# DKIM signing of outreach mail, when all three are set (the key is a PEM file path).
TALENTLOOP_DKIM_DOMAIN = env_str("TALENTLOOP_DKIM_DOMAIN", "")
TALENTLOOP_DKIM_SELECTOR = env_str("TALENTLOOP_DKIM_SELECTOR", "")
TALENTLOOP_DKIM_KEY_FILE = env_str("TALENTLOOP_DKIM_KEY_FILE", "")

# --- Security -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "talentloop.accounts.backends"  # the database store, loaded in one query
AUTHENTICATION_BACKENDS = ["talentloop.accounts.backends.UserBackend"]
SESSION_COOKIE_SECURE = env_bool("TALENTLOOP_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Bodies over this size get a 413 before anything is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TALENTLOOP_MAX_BODY_BYTES", 2 * 1024 * 1024)
# Largest import file accepted through the UI or API (CLI imports read files in place).
IMPORT_MAX_BYTES = env_int("TALENTLOOP_IMPORT_MAX_BYTES", 500 * 1024 * 1024)
# Processes that validate import rows beside the one writing them (0: none).
IMPORT_WORKERS = env_int("TALENTLOOP_IMPORT_WORKERS", max(1, min(3, (os.cpu_count() or 2) - 1)))
# Resume files: the originals are kept under MEDIA_ROOT (never served without a login).
MEDIA_ROOT = DATA_DIR / "files"
# Largest resume file accepted (bigger ones get a per-file error and are not stored).
RESUME_MAX_BYTES = env_int("TALENTLOOP_RESUME_MAX_BYTES", 20 * 1024 * 1024)
# Pages read from one PDF; the rest of a longer document is ignored (with a warning).
RESUME_MAX_PAGES = env_int("TALENTLOOP_RESUME_MAX_PAGES", 30)
# One file's parse runs in a child process with these limits; past them it fails alone.
RESUME_PARSE_SECONDS = env_int("TALENTLOOP_RESUME_PARSE_SECONDS", 30)
RESUME_PARSE_MEMORY_MB = env_int("TALENTLOOP_RESUME_PARSE_MEMORY_MB", 1024)
# Parsed fields below this confidence (0-1) are highlighted for review.
RESUME_REVIEW_CONFIDENCE = float(env_str("TALENTLOOP_RESUME_REVIEW_CONFIDENCE", "0.7"))
# Matching: how many best candidates rediscovery keeps (with their evidence) per job.
MATCH_KEEP = env_int("TALENTLOOP_MATCH_KEEP", 100)
# Where `talentloop bench parse` finds the evaluation data sets (read in place, never copied).
DATASETS_DIR = Path(
    env_str("TALENTLOOP_DATASETS_DIR", str(BASE_DIR.parent / "shared" / "datasets"))
)
# Number of proxies in front of Talentloop whose X-Forwarded-For may be trusted for audit IPs.
TRUSTED_PROXIES = env_int("TALENTLOOP_TRUSTED_PROXIES", 0)
# Seconds a server process uses an API key's row again without reading it; a revoked key is
# refused at once by the process that revoked it and within this time by the others. 0: read
# the key on every request.
API_KEY_CACHE_SECONDS = env_int("TALENTLOOP_API_KEY_CACHE_SECONDS", 2)

# --- I18N, static ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TALENTLOOP_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Talentloop -----------------------------------------------------------------------------
# Default region for phone numbers written without a country code (ISO 3166 alpha-2).
DEFAULT_PHONE_REGION = env_str("TALENTLOOP_DEFAULT_PHONE_REGION", "US")
IDEMPOTENCY_KEY_TTL_HOURS = env_int("TALENTLOOP_IDEMPOTENCY_KEY_TTL_HOURS", 24)
# Pairs scoring at least this (0-1) are suggested as duplicates; nothing is merged on its own.
DUPLICATE_THRESHOLD = float(env_str("TALENTLOOP_DUPLICATE_THRESHOLD", "0.75"))
# How often the worker checks the periodic schedule (seconds).
SCHEDULER_TICK_SECONDS = env_int("TALENTLOOP_SCHEDULER_TICK_SECONDS", 30)

LOG_LEVEL = env_str("TALENTLOOP_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_in_one_line": {"()": "talentloop.core.logs.ForbiddenInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults give "django" a console handler of its own under DEBUG, which
        # printed each of its lines (a task's state, a refused request) twice beside ours.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"filters": ["forbidden_in_one_line"]},
        "django.db.backends": {"level": "INFO"},
    },
}
