"""Requests to the site the benchmark and the soak serve on 127.0.0.1 through gunicorn.

``gunicorn`` is the command both start (and the slow-clients test);
``fetch``, ``free_port`` and ``wait_until_up`` are the benchmark's; ``get``,
``run_clients`` and ``read_slowly`` the soak's (``get`` answers 0 where no answer
came, and keeps the body).
"""

import random
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.core.management.base import CommandError


def gunicorn(port: int, *options: str) -> list[str]:
    """The site through gunicorn on 127.0.0.1:``port``, two workers, as ``make serve`` runs it
    (gunicorn.conf.py gives the rest); ``options`` are added at the end."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "archive.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        *options,
    ]


def fetch(base: str, path: str, params: dict, timeout: float = 30) -> tuple[float, int]:
    """Milliseconds and status of one GET (the body is read to the end)."""
    url = f"{base}{path}?{urlencode(params, doseq=True)}"
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return (time.perf_counter() - started) * 1000, status


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/health/", timeout=5).read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise CommandError("gunicorn did not start")


def get(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def run_clients(base: str, clients: int, seconds: float, pick, stop=None) -> list:
    """``clients`` threads GET ``pick(rng)`` for ``seconds`` (or until ``stop`` is set):
    (status, ms) of each answer, or (status, ms, path, body) when there is a ``stop``."""
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int):
        rng = random.Random(n)
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            path = pick(rng)
            started = time.perf_counter()
            status, body = get(base, path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results.append((status, elapsed, path, body))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if stop is None:
        return [(status, ms) for status, ms, _, _ in results]
    return results


def read_slowly(port: int, path: str, deadline: float) -> int:
    """Bytes of a GET of ``path`` read 4 KB every half second until ``deadline`` or the end."""
    with socket.socket() as sock:
        # A small window, set before connecting: the server's sends soon wait.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(30)
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        total = 0
        while time.monotonic() < deadline:
            chunk = sock.recv(4096)
            if not chunk:
                break
            total += len(chunk)
            time.sleep(0.5)
        return total
