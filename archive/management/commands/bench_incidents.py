"""``make bench``, last part: incidents at the benchmark's size.

Not a test: it prints figures and writes ``var/bench/incidents.json``. On the
benchmark's archive (``bench_search`` builds it: 100,000 reports), it makes
``--incidents`` incidents once (consecutive reports by date, two to twelve each,
one in twenty left in draft, origins and stances drawn with a fixed seed), then:

1. ``/incidents/`` (plain, narrowed by sources, by a place, by a year, a far page)
   and incident pages over HTTP through gunicorn on 127.0.0.1: p50 and p95;
2. proposing incidents for a saved report (``search.incidents.propose``) in process.
"""

import json
import random
import statistics
import subprocess
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.management.measuring.figures import percentile
from archive.management.measuring.serving import fetch, free_port, gunicorn, wait_until_up
from archive.models import Incident, IncidentReport, OriginKind, Report, Stance
from archive.search import incidents as candidates

RESULTS = settings.BASE_DIR / "var" / "bench" / "incidents.json"
ORIGINS = ["", "", "", "Daily NK", "RFA", "KCNA", "a defector in Seoul", "NK News", "Yonhap"]


class Command(BaseCommand):
    help = "Time the incident pages and proposals at the benchmark's size."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=10_000)
        parser.add_argument("--requests", type=int, default=20, help="Per address.")

    def handle(self, *args, **options):
        if "bench" not in str(settings.DATABASES["default"]["NAME"]):
            raise CommandError("Run through `make bench`: it uses its own database.")
        reports = Report.objects.count()
        made = self.make(options["incidents"])
        self.stdout.write(f"\n== incidents: {made:,} over {reports:,} reports ==")
        results = {"reports": reports, "incidents": made}
        results["http"] = self.over_http(options["requests"])
        results["propose"] = self.proposals()
        RESULTS.write_text(json.dumps(results, indent=2))
        self.stdout.write(f"Figures written to {RESULTS}")

    def make(self, wanted: int) -> int:
        have = Incident.objects.count()
        if have >= wanted:
            if not Incident.objects.filter(source_count__gt=0).exists():
                Incident.objects.all().recount()  # made before the counts were kept
            return have
        rng = random.Random(28)
        rows = list(Report.objects.order_by("pub_date", "pk").values_list("pk", "pub_date"))
        started, position = time.monotonic(), 0
        with transaction.atomic():
            incidents, groups = [], []
            for number in range(have, wanted):
                size = rng.randint(2, 12)
                group = rows[position : position + size]
                position = (position + size) % max(1, len(rows) - 12)
                first = group[0][1]
                incidents.append(
                    Incident(
                        title=f"Bench incident {number}",
                        slug=f"bench-incident-{number}",
                        summary="An event the benchmark made up, from consecutive reports.",
                        start_year=first.year if first else None,
                        start_month=first.month if first else None,
                        start_date=first,
                        status=Report.Status.DRAFT
                        if rng.random() < 0.05
                        else Report.Status.PUBLISHED,
                    )
                )
                groups.append([pk for pk, _ in group])
            Incident.objects.bulk_create(incidents, batch_size=2000)
            links, places = [], []
            through = Report.regions.through.objects
            for incident, group in zip(incidents, groups, strict=True):
                for pk in group:
                    links.append(
                        IncidentReport(
                            incident=incident,
                            report_id=pk,
                            stance=rng.choice(
                                [Stance.REPORTS] * 8 + [Stance.ADDS, Stance.DISPUTES]
                            ),
                            origin_kind=rng.choice(OriginKind.values),
                            origin=rng.choice(ORIGINS),
                        )
                    )
                for region in through.filter(report_id=group[0]).values_list(
                    "region_id", flat=True
                ):
                    places.append(Incident.regions.through(incident=incident, region_id=region))
            IncidentReport.objects.bulk_create(links, batch_size=5000)  # no signals: counted below
            Incident.regions.through.objects.bulk_create(places, batch_size=5000)
            Incident.objects.all().recount()
        self.stdout.write(
            f"made {wanted - have:,} incidents, {len(links):,} links in "
            f"{time.monotonic() - started:.0f} s"
        )
        return Incident.objects.count()

    def over_http(self, requests: int) -> dict:
        published = Incident.objects.published()
        region = (
            Incident.regions.through.objects.values_list("region__slug", flat=True).first() or "x"
        )
        year = published.exclude(start_year=None).values_list("start_year", flat=True).first()
        pages = {
            "list": ("/incidents/", {}),
            "at least 3 sources": ("/incidents/", {"sources": 3}),
            "a place": ("/incidents/", {"region": region}),
            "a year": ("/incidents/", {"year": year}),
            "page 200": ("/incidents/", {"page": 200}),
        }
        rng = random.Random(29)
        slugs = rng.sample(list(published.values_list("slug", flat=True)), 30)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(gunicorn(port), cwd=settings.BASE_DIR, start_new_session=True)
        figures = {}
        try:
            wait_until_up(base)
            for path, params in [*pages.values(), (f"/incidents/{slugs[0]}/", {})]:
                fetch(base, path, params)  # warm each worker
            for what, (path, params) in pages.items():
                figures[what] = self.timed([fetch(base, path, params) for _ in range(requests)])
            times = [fetch(base, f"/incidents/{slug}/", {}) for slug in slugs for _ in range(2)]
            figures["an incident's page"] = self.timed(times)
        finally:
            server.terminate()
            server.wait(timeout=30)
        for what, row in figures.items():
            self.stdout.write(
                f"{what:<22} p50 {row['p50_ms']:>6} ms  p95 {row['p95_ms']:>6} ms  "
                f"statuses {row['statuses']}"
            )
        return figures

    @staticmethod
    def timed(answers: list[tuple[float, int]]) -> dict:
        times = [ms for ms, _ in answers]
        return {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "statuses": sorted({status for _, status in answers}),
        }

    def proposals(self) -> dict:
        rng = random.Random(30)
        ids = list(Report.objects.published().values_list("pk", flat=True))
        chosen = Report.objects.in_bulk(rng.sample(ids, 40))
        candidates.propose(next(iter(chosen.values())))  # warm: the index opened
        times = []
        for report in chosen.values():
            started = time.perf_counter()
            candidates.propose(report)
            times.append((time.perf_counter() - started) * 1000)
        row = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
        }
        self.stdout.write(
            f"proposing for a saved report: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms"
        )
        return row
