"""Settings for the test suite: the real settings, made fast and isolated."""

import atexit
import shutil
import tempfile
from pathlib import Path

from archive.settings import *  # noqa: F403
from archive.settings import DATABASES, HAYSTACK_CONNECTIONS

# The cache in the test database itself (not SQLite's file of its own), so that each
# test's counts roll back with it.
DATABASES = {"default": DATABASES["default"]}
DATABASE_ROUTERS = []

SECRET_KEY = "tests-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test run gets its own search index; tests that use it rebuild it first.
INDEX_DIR = tempfile.mkdtemp(prefix="archive-index-")
HAYSTACK_CONNECTIONS = {"default": {**HAYSTACK_CONNECTIONS["default"], "PATH": INDEX_DIR}}
# Serve static files from the app folders: tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
atexit.register(shutil.rmtree, INDEX_DIR, ignore_errors=True)
# No learned taggers unless a test trains them: the rules alone, as on a fresh clone.
ARCHIVE_TAGGER_MODEL = Path(INDEX_DIR) / "no-taggers.joblib"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A database file, as in production: a request then waits for another's write
    # lock. Threads sharing an in-memory database fail at once instead ("database
    # table is locked"), so tests of concurrent requests could not run.
    DATABASE_DIR = tempfile.mkdtemp(prefix="archive-db-")
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASE_DIR}/test.sqlite3"}
    atexit.register(shutil.rmtree, DATABASE_DIR, ignore_errors=True)
# No rate limits while tests send thousands of requests from one address;
# tests of the limits set them.
ARCHIVE_API_RATE = ""
ARCHIVE_EXPORT_RATE = ""
ARCHIVE_DIFF_RATE = ""
# Absolute links are written with the configured address; tests ask as "testserver".
ARCHIVE_SITE_URL = "http://testserver"
