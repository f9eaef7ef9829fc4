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
# A threaded worker's main loop stays alive while a request runs, so this does not
# cut a long request short (as it did with sync workers): it restarts a worker whose
# loop hangs. The slow views bound themselves: an export holds at most
# ARCHIVE_EXPORT_LIMIT reports (10-20 s for 20,000 on a busy 2-core host), a
# comparison of versions a work budget, a search the engine's own limits.
timeout = 120
keepalive = 5
accesslog = "-"
