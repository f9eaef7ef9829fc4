"""gunicorn's settings for ``make serve`` and ``make soak`` (read from the working folder).

Threaded workers (``gthread``): a client that reads an answer slowly holds one
thread, not a whole worker, and the others go on answering. Each send to a
client must progress within ``ARCHIVE_SEND_TIMEOUT`` seconds or the connection
is dropped (``archive.wsgi``). In production a buffering proxy (nginx) stands in
front and takes slow clients off the workers altogether: see the README.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker may take up to 120 s on a request: an export of 20,000 reports takes
# 10-20 s on a busy 2-core host.
timeout = 120
keepalive = 5
accesslog = "-"
