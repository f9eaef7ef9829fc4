"""``make soak``: load and faults against a real gunicorn, indexer and database.

Not a test: it prints figures and exits non-zero when a check fails. Run it
against its own database and index (the Makefile sets DATABASE_URL and
ARCHIVE_INDEX_DIR under var/soak/). It

1. fills the archive (demo content and the first KCNA articles, published),
   builds the index, and starts gunicorn (2 workers) and the indexer on
   127.0.0.1;
2. for ``--seconds``, sends a bounded load of searches and page views from
   ``--clients`` threads while a second process saves, publishes,
   unpublishes, deletes and bulk-imports reports through the ORM; then
   checks that no response was a 500 and that, once the indexer has caught
   up, the index agrees with the database for every report;
3. queues every report, kills the indexer with SIGKILL in the middle of a
   batch, restarts it, and checks again that nothing was lost;
4. rebuilds the index (``rebuild_search``) while searching, and checks that
   no search came back empty;
5. lets two hostile clients loop the worst queries known
   (``archive.management.hostile``) while two others browse, and reports the
   browsers' p50/p95 and the slowest hostile answer; every answer must be 200.

Everything it starts is stopped by process id when it ends.
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from archive import indexing
from archive.importers.store import import_file
from archive.management.hostile import HOSTILE, hostile_phase
from archive.models import IndexChange, Region, Report

CORPUS = settings.SHARED_DATA_DIR / "kcna_corpus.jsonl"
WORDS = ["korea", "party", "security", "border", "army", "workers", "meeting", "economy"]
SEARCHES = [{"q": w} for w in WORDS] + [
    {"q": "Bowibu"},
    {"q": '"Workers\' Party"'},
    {"q": "North Phyongan"},
    {"region": "ryanggang"},
    {"q": "korea", "region": "north-hamgyong", "sort": "newest"},
    {"year": "2012"},
    {"q": "army", "page": "2"},
]


class Command(BaseCommand):
    help = "Load and fault test against gunicorn and the indexer (see module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--clients", type=int, default=4, help="Concurrent readers.")
        parser.add_argument("--reports", type=int, default=3000, help="KCNA articles to load.")
        parser.add_argument("--port", type=int, default=8123)
        parser.add_argument("--hostile-seconds", type=int, default=30)
        parser.add_argument("--mutate", type=float, default=0, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["mutate"]:
            return self.mutate(options["mutate"])
        self.base = f"http://127.0.0.1:{options['port']}"
        self.processes: dict[str, subprocess.Popen] = {}
        failures = []
        try:
            self.prepare(options["reports"])
            self.start("indexer", [sys.executable, "manage.py", "run_indexer"])
            self.start("gunicorn", [
                sys.executable, "-m", "gunicorn", "archive.wsgi", "--workers", "2",
                "--bind", f"127.0.0.1:{options['port']}", "--timeout", "30",
            ])  # fmt: skip
            self.wait_for_site()
            failures += self.load_with_edits(options["seconds"], options["clients"])
            failures += self.kill_indexer_mid_batch()
            failures += self.rebuild_under_load(options["clients"])
            failures += self.hostile_clients(options["hostile_seconds"])
        finally:
            for name in list(self.processes):
                self.stop(name)
        if failures:
            raise CommandError("; ".join(failures))
        self.stdout.write(self.style.SUCCESS("Soak passed."))

    # -- setting up ----------------------------------------------------------

    def prepare(self, count: int) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Report.objects.exists():
            call_command("load_initial_data", verbosity=0)
            if CORPUS.exists():
                lines = CORPUS.read_text(encoding="utf-8").splitlines()[:count]
                with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
                    f.write("\n".join(lines))
                import_file(Path(f.name), status=Report.Status.PUBLISHED)
                os.unlink(f.name)
        call_command("rebuild_search", verbosity=0)
        self.say(f"archive: {Report.objects.published().count()} published reports, indexed")

    def start(self, name: str, command: list[str]) -> None:
        log = open(settings.BASE_DIR / "var" / "soak" / f"{name}.log", "ab")  # noqa: SIM115
        self.processes[name] = subprocess.Popen(
            command, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def wait_for_site(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health/", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        raise CommandError("gunicorn did not answer on " + self.base)

    # -- 1. load while editors work -----------------------------------------

    def load_with_edits(self, seconds: int, clients: int) -> list[str]:
        slugs = list(Report.objects.published().values_list("slug", flat=True)[:500])
        regions = list(Region.objects.values_list("slug", flat=True))
        pages = ["/", "/archive/", "/feeds/latest/rss/", "/sitemap.xml"]
        pages += [f"/reports/{slug}/" for slug in slugs]
        pages += [f"/regions/{slug}/" for slug in regions]
        searches = [f"/search/?{urlencode(params)}" for params in SEARCHES]
        self.say(f"load: {clients} clients for {seconds} s, while a second process edits")
        mutator = subprocess.Popen(
            [sys.executable, "manage.py", "soak", "--mutate", str(seconds)],
            cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        results = self.run_clients(clients, seconds, lambda rng: rng.choice(
            searches if rng.random() < 0.6 else pages
        ))  # fmt: skip
        edits = json.loads(mutator.communicate(timeout=120)[0].strip().splitlines()[-1])
        statuses = [status for status, _ in results]
        times = sorted(ms for _, ms in results)
        errors = sum(1 for s in statuses if s >= 500 or s == 0)
        self.say(
            f"  {len(results)} requests, {len(results) / seconds:.1f}/s; "
            f"p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms; "
            f"status counts {count(statuses)}"
        )
        self.say(f"  edits meanwhile: {edits}")
        failures = [f"{errors} responses were 500 or failed"] if errors else []
        return failures + self.check_index("after the load")

    def run_clients(self, clients: int, seconds: float, pick, stop=None) -> list:
        results, lock = [], threading.Lock()
        deadline = time.monotonic() + seconds

        def client(n: int):
            rng = random.Random(n)
            while time.monotonic() < deadline and not (stop and stop.is_set()):
                path = pick(rng)
                started = time.perf_counter()
                status, body = self.get(path)
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

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, ""

    def mutate(self, seconds: float) -> None:
        """The second process: what editors and imports do, as fast as the database allows."""
        rng = random.Random(7)
        done = {"saved": 0, "published": 0, "unpublished": 0, "deleted": 0, "imported": 0}
        deadline = time.monotonic() + seconds
        batch = 0
        while time.monotonic() < deadline:
            pks = list(Report.objects.values_list("pk", flat=True).order_by("?")[:5])
            action = rng.choice(["save", "save", "publish", "unpublish", "delete", "import"])
            if action == "save":
                for report in Report.objects.filter(pk__in=pks[:3]):
                    report.body += f"\n\nUpdated at {time.time():.3f}."
                    report.save()
                    done["saved"] += 1
            elif action == "publish":
                done["published"] += Report.objects.filter(pk__in=pks, headline__gt="").update(
                    status=Report.Status.PUBLISHED
                )
            elif action == "unpublish":
                done["unpublished"] += Report.objects.filter(pk__in=pks[:2]).update(
                    status=Report.Status.DRAFT
                )
            elif action == "delete":
                done["deleted"] += (
                    Report.objects.filter(pk__in=pks[:1]).delete()[1].get("archive.Report", 0)
                )
            else:
                batch += 1
                records = [
                    json.dumps({"id": f"soak-{batch}-{n}", "title": f"Soak import {batch}-{n}",
                                "date": "2024-05-01", "body": f"Imported during the soak. {n}",
                                "source": "Daily NK"})
                    for n in range(50)
                ]  # fmt: skip
                with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
                    f.write("\n".join(records))
                result = import_file(Path(f.name), status=Report.Status.PUBLISHED)
                os.unlink(f.name)
                done["imported"] += result.created
            time.sleep(0.05)
        self.stdout.write(json.dumps(done))

    # -- 5. hostile clients ----------------------------------------------------

    def hostile_clients(self, seconds: int) -> list[str]:
        slugs = list(Report.objects.published().values_list("slug", flat=True)[:200])
        browsing = ["/"] + [f"/search/?{urlencode(p)}" for p in SEARCHES]
        browsing += [f"/reports/{slug}/" for slug in slugs[:50]]
        self.say(f"hostile: 2 clients loop {len(HOSTILE)} hostile queries, 2 browse, {seconds} s")
        found = hostile_phase(self.base, seconds, browsing)
        self.say(
            f"  browsers: {found['browse_requests']} requests, p50 {found['browse_p50_ms']} ms, "
            f"p95 {found['browse_p95_ms']} ms; hostile: {found['hostile_requests']} requests, "
            f"slowest {found['hostile_slowest_ms']} ms; status counts {found['statuses']}"
        )
        bad = sum(n for status, n in found["statuses"].items() if status != 200)
        return [f"{bad} answers in the hostile phase were not 200"] if bad else []

    # -- 2. a crash in the middle of a batch ----------------------------------

    def kill_indexer_mid_batch(self) -> list[str]:
        self.wait_for_indexer()
        total = Report.objects.count()
        first = indexing.last_change_pk()
        IndexChange.objects.enqueue(Report.objects.values_list("pk", flat=True))
        queued = IndexChange.objects.filter(pk__gt=first)
        deadline = time.monotonic() + 60
        while not queued.exclude(processed=None).exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # the first batch is committed: the second is being written
        time.sleep(0.05)
        applied = queued.exclude(processed=None).count()
        self.stop("indexer", signal.SIGKILL)
        self.say(
            f"fault: {total} reports queued; indexer killed with SIGKILL after {applied} "
            "were applied; restarting it"
        )
        self.start("indexer", [sys.executable, "manage.py", "run_indexer"])
        return self.check_index("after the kill and restart")

    def wait_for_indexer(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while IndexChange.objects.filter(processed=None).exists():
            if time.monotonic() > deadline:
                raise CommandError("the indexer did not catch up")
            time.sleep(0.2)

    def check_index(self, when: str) -> list[str]:
        started = time.monotonic()
        self.wait_for_indexer()
        found = indexing.disagreements()
        wrong = sum(len(ids) for ids in found.values())
        public = Report.objects.published().count()
        self.say(
            f"  index {when}: caught up in {time.monotonic() - started:.1f} s; "
            f"{public} published reports; disagreements: "
            + (", ".join(f"{k} {len(v)}" for k, v in found.items()) if wrong else "none")
        )
        return [f"the index disagrees with the database {when}: {found}"] if wrong else []

    # -- 3. a rebuild while readers search -----------------------------------

    def rebuild_under_load(self, clients: int) -> list[str]:
        self.say("rebuild: rebuild_search while readers search")
        stop = threading.Event()
        results = []

        def readers():
            results.extend(self.run_clients(
                clients, 600, lambda rng: f"/search/?q={rng.choice(WORDS)}", stop=stop
            ))  # fmt: skip

        thread = threading.Thread(target=readers)
        thread.start()
        started = time.monotonic()
        rebuild = subprocess.run(
            [sys.executable, "manage.py", "rebuild_search", "--verbosity", "0"],
            cwd=settings.BASE_DIR, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.monotonic() - started
        stop.set()
        thread.join()
        empty = [path for status, _, path, body in results if status == 200 and
                 ("No reports match" in body or ">0 reports<" in body)]  # fmt: skip
        failed = [status for status, *_ in results if status != 200]
        self.say(
            f"  rebuild took {seconds:.1f} s; {len(results)} searches meanwhile; "
            f"{len(empty)} empty, {len(failed)} not 200"
        )
        failures = []
        if rebuild.returncode:
            failures.append("rebuild_search failed: " + rebuild.stderr[-500:])
        if empty or failed:
            failures.append(f"{len(empty)} empty and {len(failed)} failed searches in the rebuild")
        return failures + self.check_index("after the rebuild")

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


def percentile(sorted_values: list[float], percent: int) -> float:
    index = max(0, round(len(sorted_values) * percent / 100) - 1)
    return sorted_values[min(index, len(sorted_values) - 1)]


def count(values) -> dict:
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))
