"""gunicorn as ``make serve`` runs it (``gunicorn.conf.py``): slow clients hold no worker."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from archive.management.measuring.serving import free_port, gunicorn

ROOT = Path(__file__).resolve().parents[1]


def answers(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def test_clients_that_send_or_read_slowly_do_not_hold_the_workers(tmp_path):
    """With gunicorn's sync workers, two clients sending a request a byte at a time (or
    reading an answer slowly) held both workers, and every page waited."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    server = subprocess.Popen(
        gunicorn(
            port,
            "--access-logfile",
            str(tmp_path / "access.log"),
            "--error-logfile",
            str(tmp_path / "error.log"),
        ),
        cwd=ROOT,
        env=env,
    )
    slow = []
    try:
        deadline = time.monotonic() + 30
        while not answers(f"{base}/static/archive/favicon.svg", 1):
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.2)
        for _ in range(6):  # more than the workers: each sends half a request, then waits
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(b"GET /static/archive/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(client)
        time.sleep(0.5)
        started = time.monotonic()
        assert answers(f"{base}/static/archive/favicon.svg", 10)
        assert time.monotonic() - started < 5
    finally:
        for client in slow:
            client.close()
        server.terminate()
        server.wait(timeout=30)
