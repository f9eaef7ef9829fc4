"""Readers browsing the soak's site while something slow runs beside them."""

import threading
import time
from urllib.parse import urlencode

from ...models import Report
from .figures import nearest_rank
from .queries import SEARCHES
from .serving import run_clients


def browse(base: str, seconds: float, until=None) -> dict:
    """Two clients browse the site at ``base`` for ``seconds`` (or until ``until()``)
    beside slow work; their figures (``line``) and what went wrong (``failures``)."""
    slugs = list(Report.objects.published().values_list("slug", flat=True)[:50])
    paths = ["/"] + [f"/search/?{urlencode(p)}" for p in SEARCHES]
    paths += [f"/reports/{slug}/" for slug in slugs]
    stop = threading.Event()
    if until is not None:
        threading.Thread(target=lambda: (_wait(until), stop.set()), daemon=True).start()
        seconds = 600
    results = run_clients(base, 2, seconds, lambda rng: rng.choice(paths), stop=stop)
    times = sorted(ms for _, ms, _, _ in results) or [0.0]
    failed = [status for status, *_ in results if status != 200]
    line = (
        f"browsers: {len(results)} pages, p50 {nearest_rank(times, 50):.0f} ms, "
        f"p95 {nearest_rank(times, 95):.0f} ms, slowest {times[-1]:.0f} ms, "
        f"{len(failed)} not 200"
    )
    failures = [f"{len(failed)} pages failed beside the slow work"] if failed else []
    if nearest_rank(times, 95) > 5000:
        failures.append(f"pages waited beside the slow work (p95 {nearest_rank(times, 95):.0f} ms)")
    return {"line": line, "failures": failures}


def _wait(done) -> None:
    while not done():
        time.sleep(0.2)
