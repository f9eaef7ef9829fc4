"""WSGI entry point, used by gunicorn: ``gunicorn archive.wsgi`` (see ``gunicorn.conf.py``).

A client that stops reading an answer is dropped after ``ARCHIVE_SEND_TIMEOUT``
seconds (20 by default) without progress, so it cannot hold a worker's thread
for ever: gunicorn hands the client's socket to the application, whose sends
then time out instead of blocking.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

SEND_TIMEOUT = float(os.environ.get("ARCHIVE_SEND_TIMEOUT", "20"))

django_application = get_wsgi_application()


def application(environ, start_response):
    client = environ.get("gunicorn.socket")
    if client is not None and SEND_TIMEOUT > 0:
        client.settimeout(SEND_TIMEOUT)
    return django_application(environ, start_response)
