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
   browsers' p50/p95 and the slowest hostile answer; every answer must be 200;
6. lets ``--slow-readers`` clients download whole searches 4 KB at a time,
   slowly, while two others browse: the pages must go on answering (with
   gunicorn's sync workers two such clients made every page wait 40 s);
7. compares versions of a report of 60,000 identical paragraphs (at the
   length cap), each pair once, from two clients while two others browse, and
   reports the slowest comparison and the browsers' p95.

Everything it starts is stopped by process id when it ends.
"""

import argparse
import datetime
import json
import os
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
from django.utils import timezone

from archive.editing.importers.store import import_file
from archive.management.hostile import HOSTILE, hostile_phase
from archive.management.measuring.browsing import browse
from archive.management.measuring.edits import edit_for
from archive.management.measuring.figures import count, nearest_rank
from archive.management.measuring.queries import SEARCHES, WORDS
from archive.management.measuring.serving import get, gunicorn, read_slowly, run_clients
from archive.models import IndexChange, Region, Report
from archive.search import indexing

CORPUS = settings.SHARED_DATA_DIR / "kcna_corpus.jsonl"


class Command(BaseCommand):
    help = "Load and fault test against gunicorn and the indexer (see module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--clients", type=int, default=4, help="Concurrent readers.")
        parser.add_argument("--reports", type=int, default=3000, help="KCNA articles to load.")
        parser.add_argument("--port", type=int, default=8123)
        parser.add_argument("--hostile-seconds", type=int, default=30)
        parser.add_argument("--slow-readers", type=int, default=4)
        parser.add_argument("--slow-seconds", type=int, default=20)
        parser.add_argument(
            "--gunicorn", default="", help="More gunicorn options, e.g. '--worker-class sync'."
        )
        parser.add_argument(
            "--phases", default="", help="Some of load,kill,rebuild,hostile,slow,diffs (all)."
        )
        parser.add_argument("--mutate", type=float, default=0, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["mutate"]:
            return self.mutate(options["mutate"])
        self.port = options["port"]
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        failures = []
        try:
            self.prepare(options["reports"])
            self.start("indexer", [sys.executable, "manage.py", "run_indexer"])
            # gunicorn.conf.py (threaded workers) as under make serve; one address sends
            # everything here, so the per-address rates are off.
            self.start(
                "gunicorn",
                gunicorn(options["port"], "--timeout", "30", *options["gunicorn"].split()),
                ARCHIVE_EXPORT_RATE="",
                ARCHIVE_DIFF_RATE="",
            )
            self.wait_for_site()
            phases = {
                "load": lambda: self.load_with_edits(options["seconds"], options["clients"]),
                "kill": self.kill_indexer_mid_batch,
                "rebuild": lambda: self.rebuild_under_load(options["clients"]),
                "hostile": lambda: self.hostile_clients(options["hostile_seconds"]),
                "slow": lambda: self.slow_readers(options["slow_readers"], options["slow_seconds"]),
                "diffs": self.repeated_text_diffs,
            }
            chosen = options["phases"].split(",") if options["phases"] else list(phases)
            for name in chosen:
                failures += phases[name]()
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

    def start(self, name: str, command: list[str], **environment: str) -> None:
        log = open(settings.BASE_DIR / "var" / "soak" / f"{name}.log", "ab")  # noqa: SIM115
        self.processes[name] = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **environment},
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
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        results = run_clients(
            self.base,
            clients,
            seconds,
            lambda rng: rng.choice(searches if rng.random() < 0.6 else pages),
        )
        edits = json.loads(mutator.communicate(timeout=120)[0].strip().splitlines()[-1])
        statuses = [status for status, _ in results]
        times = sorted(ms for _, ms in results)
        errors = sum(1 for s in statuses if s >= 500 or s == 0)
        self.say(
            f"  {len(results)} requests, {len(results) / seconds:.1f}/s; "
            f"p50 {statistics.median(times):.0f} ms, p95 {nearest_rank(times, 95):.0f} ms; "
            f"status counts {count(statuses)}"
        )
        self.say(f"  edits meanwhile: {edits}")
        failures = [f"{errors} responses were 500 or failed"] if errors else []
        return failures + self.check_index("after the load")

    def mutate(self, seconds: float) -> None:
        """The second process (``--mutate``): what it did, as JSON on its last line."""
        self.stdout.write(json.dumps(edit_for(seconds)))

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

    # -- 6. slow readers ---------------------------------------------------------

    def slow_readers(self, readers: int, seconds: int) -> list[str]:
        self.say(
            f"slow readers: {readers} clients read exports 4 KB at a time, 2 browse, {seconds} s"
        )
        deadline = time.monotonic() + seconds
        read = []

        def slow(n: int):
            path = f"/search/export.{('csv', 'jsonl')[n % 2]}"  # every report: many MB
            read.append(read_slowly(self.port, path, deadline))

        threads = [threading.Thread(target=slow, args=(n,)) for n in range(readers)]
        for thread in threads:
            thread.start()
        time.sleep(1)  # the slow downloads have begun
        browsed = browse(self.base, deadline - time.monotonic())
        for thread in threads:
            thread.join()
        self.say(f"  slow readers read {sum(read) // 1024:,} KB in all; {browsed['line']}")
        return browsed["failures"]

    # -- 7. comparisons of repeated text -----------------------------------------

    def repeated_text_diffs(self) -> list[str]:
        report = Report.objects.create(
            headline="Soak: repeated text",
            slug="soak-repeated-text",
            body="Long live.\n\n" * 60_000,
            status=Report.Status.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(minutes=1),
        )
        variants = ["Long live the army.", "Hurrah.", "Long live.", "Long live the Party."]
        for n, line in enumerate(variants):
            report.body = "Long live.\n\n" * (15_000 * (n + 1) % 60_000) + line + "\n\n"
            report.body += "Long live.\n\n" * (59_999 - 15_000 * (n + 1) % 60_000)
            report.save()
        versions = report.versions.count()
        pairs = [(a, b) for a in range(1, versions + 1) for b in range(1, versions + 1) if a != b]
        self.say(f"repeated text: {len(pairs)} comparisons of 60,000-paragraph versions, 2 browse")
        url = f"/reports/{report.slug}/changes/"
        timings, statuses, lock = [], [], threading.Lock()

        def compare(share: list):
            for a, b in share:
                started = time.perf_counter()
                status, _ = get(self.base, f"{url}?from={a}&to={b}")
                with lock:
                    timings.append((time.perf_counter() - started) * 1000)
                    statuses.append(status)

        threads = [threading.Thread(target=compare, args=(pairs[n::2],)) for n in range(2)]
        for thread in threads:
            thread.start()
        browsed = browse(self.base, 0, until=lambda: not any(t.is_alive() for t in threads))
        for thread in threads:
            thread.join()
        cached = []
        for a, b in pairs[:4]:
            started = time.perf_counter()
            get(self.base, f"{url}?from={a}&to={b}")
            cached.append((time.perf_counter() - started) * 1000)
        timings.sort()
        self.say(
            f"  comparisons: p50 {nearest_rank(timings, 50):.0f} ms, slowest {timings[-1]:.0f} ms "
            f"(over HTTP, two at once); cached {min(cached):.0f}-{max(cached):.0f} ms; "
            f"statuses {count(statuses)}; {browsed['line']}"
        )
        bad = [s for s in statuses if s != 200]
        return browsed["failures"] + ([f"{len(bad)} comparisons were not 200"] if bad else [])

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
            results.extend(
                run_clients(
                    self.base,
                    clients,
                    600,
                    lambda rng: f"/search/?q={rng.choice(WORDS)}",
                    stop=stop,
                )
            )

        thread = threading.Thread(target=readers)
        thread.start()
        started = time.monotonic()
        rebuild = subprocess.run(
            [sys.executable, "manage.py", "rebuild_search", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        stop.set()
        thread.join()
        empty = [
            path
            for status, _, path, body in results
            if status == 200 and ("No reports match" in body or ">0 reports<" in body)
        ]
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
