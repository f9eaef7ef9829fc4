"""Settings for the report archive.

Everything that differs between a laptop and a server comes from the
environment, with defaults that are safe for local use:

- ``DJANGO_DEBUG``: "1"/"true" turns debug on; off otherwise.
- ``DJANGO_SECRET_KEY``: required in production; locally a key is generated
  once into ``var/secret_key`` (ignored by git).
- ``DJANGO_ALLOWED_HOSTS``: comma-separated; defaults to local addresses.
- ``DATABASE_URL``: any URL dj-database-url understands; defaults to SQLite
  at ``var/archive.sqlite3``.
- ``ARCHIVE_INDEX_DIR``: the Whoosh index folder; defaults to ``var/index``.
- ``ARCHIVE_SHARED_DATA``: the folder of real data that tests, benchmarks and
  evaluations read (the KCNA corpus, the gazetteer); defaults to
  ``../shared/data`` beside the repository. The site never needs it.
- ``ARCHIVE_MAX_BODY_LENGTH``: the longest report body taken, in characters;
  200,000 by default.
- ``ARCHIVE_HEALTH_MAX_LAG`` (seconds, 300) and ``ARCHIVE_HEALTH_MAX_PENDING``
  (changes, 1,000): how far behind the search indexer may fall before
  ``/health/`` says "degraded".
- ``ARCHIVE_INDEX_REBUILD_AT`` (changes, 5,000): a queue at least this long, and at
  least a quarter of the index, is applied by building a fresh index instead of
  batch by batch (``search.indexing.apply_batch``).
- ``ARCHIVE_SITE_URL``: the site's address, which every absolute link the
  archive writes starts with (mails, feeds, the sitemap, the API, citations;
  see ``common.paths.site``); defaults to ``http://127.0.0.1:8000``, and
  ``make serve`` sets it from ``HOST`` and ``PORT``.
- Mail (search alerts): with ``DJANGO_EMAIL_HOST`` set, mail goes by SMTP
  to that host: ``DJANGO_EMAIL_PORT`` (587), ``DJANGO_EMAIL_USER``,
  ``DJANGO_EMAIL_PASSWORD``, ``DJANGO_EMAIL_SECURITY`` ("starttls", the
  default, "ssl" or "none"), and ``DJANGO_EMAIL_FROM`` (the sender). Without
  it, mails are written as files to ``var/mail/`` (Django's file backend).
- ``ARCHIVE_EXPORT_LIMIT``: the most reports an export or a whole search's
  citations hold; 20,000 by default.
- ``ARCHIVE_TAGGER_MODEL``: the learned taggers' file, which ``train_taggers``
  writes (``var/models/taggers.joblib`` by default).
- ``ARCHIVE_API_RATE`` (120/min), ``ARCHIVE_EXPORT_RATE`` (30/hour) and
  ``ARCHIVE_DIFF_RATE`` (30/min): requests an anonymous client (by address) may
  make to the JSON API, for exports and for comparisons of versions not cached;
  an empty value turns the limit off. Counted in the cache (the database's, or
  ``DJANGO_CACHE_URL``), so across workers, hosts and restarts.
- ``DJANGO_HTTPS``: "1" when the site is served over HTTPS (production):
  secure cookies, HSTS, redirects to https, and the ``X-Forwarded-Proto``
  header of the proxy in front trusted. ``manage.py check --deploy`` passes
  with it, a real secret key and real hosts.
"""

import datetime
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ARCHIVE_VAR_DIR", BASE_DIR / "var"))
SHARED_DATA_DIR = Path(os.environ.get("ARCHIVE_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def local_secret_key() -> str:
    """Read, or create once, a secret key kept out of the repository."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_flag("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or local_secret_key()
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "haystack",
    "reversion",
    "axes",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "archive.middleware.StripNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns lockouts into responses
]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "archive.pages.languages.other_languages",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'archive.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers never wait for the writer (WAL); writers queue for the lock up
    # front instead of failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache holds the rate counts and alert limits ("default") and the
# comparisons of versions ("comparisons", a table of its own, so that many
# comparisons never push the counts out). In the database by default, so every
# worker and every host sharing it counts the same requests, and a restart forgets
# nothing; the tables are made by ``migrate``. With SQLite the cache has a file of
# its own beside the database's, so that a long import, which holds the database's
# write lock, never keeps a reader waiting on a rate count. ``DJANGO_CACHE_URL``
# may name a shared cache instead, e.g. ``redis://cache.internal:6379/1`` (needs
# the ``redis`` package).
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")


def _cache(location: str, entries: int) -> dict:
    if CACHE_URL.startswith(("redis://", "rediss://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": location,
        }
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": location,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


CACHES = {
    "default": _cache("archive_cache", 100_000),
    "comparisons": _cache("archive_comparisons", 20_000),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not CACHE_URL:
    _database = Path(DATABASES["default"]["NAME"])
    DATABASES["cache"] = {
        **DATABASES["default"],
        "NAME": str(_database.with_name(f"{_database.stem}-cache{_database.suffix}")),
    }
    DATABASE_ROUTERS = ["archive.routers.CacheRouter"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language in its own name: the switch offers them to readers who may not read
# the page's current one.
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "archive.search_backend.ArchiveWhooshEngine",
        "PATH": os.environ.get("ARCHIVE_INDEX_DIR", str(VAR_DIR / "index")),
    },
}

# --- The archive --------------------------------------------------------------

# The region every report is about: never suggested as a tag (its provinces are).
ARCHIVE_HOME_COUNTRY = "north-korea"

# --- Limits ------------------------------------------------------------------

# The longest report body taken, in characters: the admin, the model's validation
# and the importer refuse longer texts, never cut them short. The longest KCNA
# article has about 40,000.
ARCHIVE_MAX_BODY_LENGTH = int(os.environ.get("ARCHIVE_MAX_BODY_LENGTH", "200000"))
# /health/ says "degraded" when the search indexer is further behind than this:
# the oldest queued change (or its last sighting) older than MAX_LAG seconds, or
# more than MAX_PENDING changes waiting.
ARCHIVE_HEALTH_MAX_LAG = int(os.environ.get("ARCHIVE_HEALTH_MAX_LAG", "300"))
ARCHIVE_HEALTH_MAX_PENDING = int(os.environ.get("ARCHIVE_HEALTH_MAX_PENDING", "1000"))
# A queue this long (and a quarter of the index or more) is applied by a rebuild: an
# import's or a vocabulary reload's 23,000 changes took 4 min 43 s batch by batch,
# leaving 16 segments and 39% deleted documents (searches 2x slower); a rebuild, 55 s.
ARCHIVE_INDEX_REBUILD_AT = int(os.environ.get("ARCHIVE_INDEX_REBUILD_AT", "5000"))
# Exports and whole-search citations hold at most this many reports (the first ones
# in the search's order); more would tie up a worker for minutes.
ARCHIVE_EXPORT_LIMIT = int(os.environ.get("ARCHIVE_EXPORT_LIMIT", "20000"))
ARCHIVE_TAGGER_MODEL = Path(
    os.environ.get("ARCHIVE_TAGGER_MODEL", VAR_DIR / "models" / "taggers.joblib")
)
# Anonymous clients, per address (counted in Django's cache, shared by every worker):
# the JSON API, downloads of whole searches, new comparisons. "" turns one off.
ARCHIVE_API_RATE = os.environ.get("ARCHIVE_API_RATE", "120/min")
ARCHIVE_EXPORT_RATE = os.environ.get("ARCHIVE_EXPORT_RATE", "30/hour")
# Comparisons of two versions of a report not made (and cached) before.
ARCHIVE_DIFF_RATE = os.environ.get("ARCHIVE_DIFF_RATE", "30/min")

# --- Mail (search alerts) ---------------------------------------------------

ARCHIVE_SITE_URL = os.environ.get("ARCHIVE_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_EMAIL_FROM", "NK Security Reports Archive <alerts@localhost>"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
    _security = os.environ.get("DJANGO_EMAIL_SECURITY", "starttls").strip().lower()
    EMAIL_USE_TLS = _security == "starttls"
    EMAIL_USE_SSL = _security == "ssl"
    EMAIL_TIMEOUT = 20
else:
    # Locally, each mail is a file to read in var/mail/; nothing leaves the machine.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Hardening ---------------------------------------------------------------

HTTPS = env_flag("DJANGO_HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Pages load scripts, styles and images from the site only; nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Admin logins: five failures for a username from one address lock it out
# for 15 minutes (django-axes; attempts are kept in the database).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind the TLS proxy every request comes from the proxy: the client's address
# is the one the proxy adds to X-Forwarded-For (DJANGO_PROXY_COUNT proxies in
# front; 1 by default with DJANGO_HTTPS, else none).
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "1" if HTTPS else "0"))
# The header is believed only from these addresses or networks (the proxy's): by
# default a proxy on the same host. DJANGO_TRUSTED_PROXIES="10.0.0.5,10.1.0.0/16".
TRUSTED_PROXIES = [
    entry.strip()
    for entry in os.environ.get("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
    if entry.strip()
]
for _entry in TRUSTED_PROXIES:  # refused at start, not on every request
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES: {_entry!r} is not an address or a network"
        ) from None
AXES_CLIENT_IP_CALLABLE = "archive.common.clients.client_address"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
