"""Settings for the test suite: the real settings, made fast and isolated."""

import atexit
import shutil
import tempfile

from archive.settings import *  # noqa: F403
from archive.settings import HAYSTACK_CONNECTIONS

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
