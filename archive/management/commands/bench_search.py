"""``make bench``: build corpora, index them, time a fixed query mix every way readers meet it.

Not a test: it prints figures and writes them to ``var/bench/results.json``.
Run it against its own database and index (the Makefile sets DATABASE_URL and
ARCHIVE_INDEX_DIR under var/bench/), never against a site's data. For each
size it

1. builds the corpus and the index (reports a second, index size);
2. times the query mix in a fresh process through ``search()`` as the
   search page calls it (20 highlighted results, facets, histogram,
   suggestions), and the same queries through stock haystack faceting;
3. starts gunicorn (2 workers, the settings ``make serve`` uses) on
   127.0.0.1 and times the search page over HTTP for the same mix with one
   client (every search page draws the map), the same with the grids
   (``?view=grid``), then pages a second with four; times every query of the hostile
   list (``archive.management.hostile``); reports the workers' memory; times
   the JSON API's search over the mix and downloads of whole searches (as
   many reports as an export holds); and stops gunicorn by its process id.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from archive.management.commands.load_initial_data import VOCABULARIES
from archive.management.hostile import HOSTILE, hostile_phase
from archive.management.measuring.corpus import make_corpus
from archive.management.measuring.figures import machine, peak_rss_mb, percentile, worker_memory
from archive.management.measuring.queries import query_mix, search_params, stock_search
from archive.management.measuring.serving import fetch, free_port, gunicorn, wait_until_up
from archive.models import IndexChange

DEFAULT_CORPUS = settings.SHARED_DATA_DIR / "kcna_corpus.jsonl"
RESULTS = settings.BASE_DIR / "var" / "bench" / "results.json"


class Command(BaseCommand):
    help = "Benchmark the search layer against stock haystack faceting (see module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
        parser.add_argument("--sizes", default="10000,100000")
        parser.add_argument("--runs", type=int, default=5, help="Timed runs per query (a).")
        parser.add_argument(
            "--stock-budget",
            type=float,
            default=120.0,
            help="Seconds one stock query may take before the rest of its type is skipped.",
        )
        parser.add_argument("--queries-only", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
        parser.add_argument(
            "--reuse", action="store_true", help="Time the corpus and index already built."
        )
        parser.add_argument("--port", type=int, default=0, help="For gunicorn (0: a free one).")
        parser.add_argument("--http-seconds", type=int, default=20)

    def handle(self, *args, **options):
        if "bench" not in str(settings.DATABASES["default"]["NAME"]):
            raise CommandError(
                "Run through `make bench`: it uses its own database under var/bench."
            )
        if options["queries_only"]:
            return self.time_queries(options)
        results = {"machine": machine(), "sizes": {}}
        for size in [int(s) for s in options["sizes"].split(",")]:
            self.stdout.write(f"\n== {size:,} reports ==")
            figures = {} if options["reuse"] else self.build(size, options["corpus"])
            figures.update(self.queries_in_child(size, options))
            figures.update(self.over_http(options))
            results["sizes"][size] = figures
            self.report(size, figures)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2))
        self.stdout.write(f"\nFigures written to {RESULTS}")

    # -- corpus and index ----------------------------------------------------

    def build(self, size: int, corpus: Path) -> dict:
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", *VOCABULARIES, verbosity=0)
        started = time.monotonic()
        make_corpus(size, corpus)
        IndexChange.objects.all().delete()
        generated = time.monotonic() - started
        self.stdout.write(f"corpus: {size:,} reports in {generated:.0f} s")
        started = time.monotonic()
        call_command("rebuild_search", verbosity=0)
        IndexChange.objects.all().delete()
        elapsed = time.monotonic() - started
        root = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
        folder = root / (root / "CURRENT").read_text().strip()  # the live generation only
        index_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        build_rss = peak_rss_mb()
        self.stdout.write(f"index: {size / elapsed:.0f} reports/s, {index_bytes / 2**20:.0f} MB")
        return {
            "build_seconds": round(elapsed, 1),
            "build_rate": round(size / elapsed),
            "index_mb": round(index_bytes / 2**20, 1),
            "build_peak_rss_mb": round(build_rss),
        }

    def queries_in_child(self, size: int, options) -> dict:
        """Time queries in a fresh process, so its peak memory is the search's own."""
        command = [
            sys.executable,
            "manage.py",
            "bench_search",
            "--queries-only",
            "--size",
            str(size),
            "--runs",
            str(options["runs"]),
            "--stock-budget",
            str(options["stock_budget"]),
        ]
        done = subprocess.run(command, capture_output=True, text=True, cwd=settings.BASE_DIR)
        if done.returncode:
            raise CommandError(done.stderr[-3000:])
        return json.loads(done.stdout.strip().splitlines()[-1])

    # -- queries (child process) -------------------------------------------

    def time_queries(self, options):
        from archive.search.running import ArchiveQuery, search

        mix = query_mix()
        ours: dict[str, list[float]] = {}
        stock: dict[str, list[float]] = {}
        skipped: set[str] = set()
        search(ArchiveQuery())  # warm up: the first query loads the index
        for kind, text, filters in mix:
            for _ in range(options["runs"]):
                started = time.perf_counter()
                search(ArchiveQuery(text=text, filters=filters))
                ours.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        search_rss = peak_rss_mb()
        for kind, text, filters in mix:
            if kind in skipped:
                continue
            started = time.perf_counter()
            stock_search(text, filters)
            elapsed = time.perf_counter() - started
            stock.setdefault(kind, []).append(elapsed * 1000)
            if elapsed > options["stock_budget"]:
                skipped.add(kind)
        figures = {
            "queries": len(mix),
            "search_peak_rss_mb": round(search_rss),
            "types": {
                kind: {
                    "ours_median_ms": round(statistics.median(times), 1),
                    "ours_p95_ms": round(percentile(times, 95), 1),
                    "stock_median_ms": round(statistics.median(stock[kind]), 1),
                    "stock_p95_ms": round(percentile(stock[kind], 95), 1),
                    "stock_runs": len(stock[kind]),
                    "speedup": round(statistics.median(stock[kind]) / statistics.median(times), 1),
                }
                for kind, times in ours.items()
            },
        }
        sys.stdout.write(json.dumps(figures) + "\n")

    # -- over HTTP (gunicorn) ------------------------------------------------

    def over_http(self, options) -> dict:
        """The search page through gunicorn as ``make serve`` runs it; stopped by pid."""
        port = options["port"] or free_port()
        base = f"http://127.0.0.1:{port}"
        command = gunicorn(port, "--timeout", "120")
        # The API's and downloads' rate limits would refuse most of the timed requests.
        unlimited = {**os.environ, "ARCHIVE_API_RATE": "", "ARCHIVE_EXPORT_RATE": ""}
        server = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=unlimited,
        )
        try:
            wait_until_up(base)
            for _ in range(2):  # each worker opens the index once
                for _, text, filters in query_mix()[:6]:
                    fetch(base, "/search/", search_params(text, filters))
            one_client: dict[str, list[float]] = {}
            for kind, text, filters in query_mix():
                for _ in range(options["runs"]):
                    elapsed, _ = fetch(base, "/search/", search_params(text, filters))
                    one_client.setdefault(kind, []).append(elapsed)
            with_grids = [  # the map is on every search page; the grids on asking
                fetch(base, "/search/", {**search_params(text, filters), "view": "grid"})[0]
                for _, text, filters in query_mix()
                for _ in range(options["runs"])
            ]
            pages = self.pages_per_second(base, options["http_seconds"])
            hostile = []
            for path, params in HOSTILE:
                elapsed, status = fetch(base, path, params, timeout=60)
                hostile.append(
                    {
                        "url": path + "?" + urlencode(params, doseq=True)[:80],
                        "ms": round(elapsed, 1),
                        "status": status,
                    }
                )
            browsing = [
                f"/search/?{urlencode(search_params(t, f), doseq=True)}" for _, t, f in query_mix()
            ] + ["/"]
            under_attack = hostile_phase(base, options["http_seconds"], browsing)
            workers = worker_memory(server.pid)
            api = api_and_exports(base, options["runs"])
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        return {
            "api": api,
            "http_types": {
                kind: {
                    "p50_ms": round(statistics.median(t), 1),
                    "p95_ms": round(percentile(t, 95), 1),
                }
                for kind, t in one_client.items()
            },
            "http_grids": {
                "p50_ms": round(statistics.median(with_grids), 1),
                "p95_ms": round(percentile(with_grids, 95), 1),
            },
            "http_pages_per_second_4_clients": pages,
            "hostile": hostile,
            "hostile_phase": under_attack,
            "worker_memory_mb": workers,
        }

    def pages_per_second(self, base: str, seconds: int) -> float:
        mix = query_mix()
        done, stop = [], time.monotonic() + seconds

        def client(offset):
            i = offset
            while time.monotonic() < stop:
                _, text, filters = mix[i % len(mix)]
                fetch(base, "/search/", search_params(text, filters))
                done.append(1)
                i += 1

        threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return round(len(done) / seconds, 1)

    def report(self, size: int, figures: dict) -> None:
        if "build_rate" in figures:
            self.stdout.write(
                f"build {figures['build_rate']} reports/s ({figures['build_seconds']} s), "
                f"index {figures['index_mb']} MB, peak RSS build {figures['build_peak_rss_mb']} MB"
            )
        self.stdout.write(
            f"in process: search peak RSS {figures['search_peak_rss_mb']} MB; "
            f"{figures['queries']} queries; gunicorn workers: {figures['worker_memory_mb']}"
        )
        columns = [
            "ours p50",
            "ours p95",
            "HTTP p50",
            "HTTP p95",
            "stock p50",
            "stock p95",
            "x faster",
        ]
        self.stdout.write(f"{'query type (ms)':<16}" + "".join(f"{c:>11}" for c in columns))
        for kind, row in figures["types"].items():
            http = figures["http_types"][kind]
            values = [
                row["ours_median_ms"],
                row["ours_p95_ms"],
                http["p50_ms"],
                http["p95_ms"],
                row["stock_median_ms"],
                row["stock_p95_ms"],
                row["speedup"],
            ]
            self.stdout.write(f"{kind:<16}" + "".join(f"{v:>11.1f}" for v in values))
        grids = figures["http_grids"]
        self.stdout.write(
            f"search page with map and grids (?view=grid), the mix: HTTP p50 "
            f"{grids['p50_ms']} ms, p95 {grids['p95_ms']} ms"
        )
        self.stdout.write(
            f"search page, 4 clients: {figures['http_pages_per_second_4_clients']} pages/s"
        )
        api = figures.get("api")
        if api:
            self.stdout.write(
                f"JSON API search: p50 {api['search_p50_ms']} ms, p95 {api['search_p95_ms']} ms "
                f"({api['requests']} requests); exports: "
                + ", ".join(f"{e['what']} {e['seconds']} s" for e in api["exports"])
            )
        hostile = figures["hostile"]
        slowest = max(hostile, key=lambda h: h["ms"])
        bad = [h for h in hostile if h["status"] != 200]
        self.stdout.write(
            f"hostile list: {len(hostile)} queries, slowest {slowest['ms']} ms "
            f"({slowest['url']}), {len(bad)} not 200"
        )
        phase = figures["hostile_phase"]
        self.stdout.write(
            f"2 hostile clients + 2 browsing for {phase['seconds']} s: browsers p50 "
            f"{phase['browse_p50_ms']} ms, p95 {phase['browse_p95_ms']} ms; slowest hostile "
            f"{phase['hostile_slowest_ms']} ms; statuses {phase['statuses']}"
        )


def api_and_exports(base: str, runs: int) -> dict:
    """The JSON API's search over the query mix, and downloads of the most an export holds.

    One client, after the page timings (the workers are warm). Each export is
    timed to its last byte; gunicorn's worker timeout must exceed it.
    """
    times = []
    for _ in range(runs):
        for _, text, filters in query_mix():
            elapsed, status = fetch(base, "/api/v1/search/", search_params(text, filters))
            if status != 200:
                raise CommandError(f"the API answered {status}")
            times.append(elapsed)
    downloads = []
    for what, path, params in [
        ("all, newest first, JSON Lines", "/search/export.jsonl", {}),
        ("all, newest first, CSV", "/search/export.csv", {}),
        ("“korea”, by relevance, JSON Lines", "/search/export.jsonl", {"q": "korea"}),
        ("all, BibTeX", "/search/cite.bib", {}),
    ]:
        started = time.perf_counter()
        with urllib.request.urlopen(f"{base}{path}?{urlencode(params)}", timeout=600) as answer:
            body = answer.read()
            exported = answer.headers["X-Archive-Exported"]
        downloads.append(
            {
                "what": what,
                "reports": int(exported),
                "mb": round(len(body) / 2**20, 1),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    return {
        "requests": len(times),
        "search_p50_ms": round(statistics.median(times), 1),
        "search_p95_ms": round(percentile(times, 95), 1),
        "exports": downloads,
    }
