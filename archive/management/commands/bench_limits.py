"""``make bench``, first part: what the worst text an editor or an import may put in a
report costs, at the length cap (``ARCHIVE_MAX_BODY_LENGTH``).

Not a test: it prints figures and writes them to ``var/bench/limits.json``.

1. The public comparison of two versions (``/reports/<slug>/changes/?from=&to=``),
   rendered in process as a reader would get it the first time (nothing
   cached), for the repeated-text cases that took difflib minutes: the target
   is 200 ms for any pair. The fastest of ``--runs`` is reported beside the
   slowest.
2. Tagging: mentions of names found a second in ordinary KCNA prose and in
   a body naming one person on every line, and how long the scan of the
   worst body (one name repeated to the cap) takes.
3. Korean analysis as the index reads a body (``search_backend.korean``): the 73
   New Year addresses, first half with no word known (a fresh process, its dictionary
   open) and second half after it, in characters and reports a second; and the
   worst Korean body: the cap in words all different (every one goes to the analyser), and
   one word the cap long.

The reports it makes are deleted when it ends.
"""

import datetime
import json
import random
import time

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from archive.editing import tagging
from archive.management.commands.load_initial_data import VOCABULARIES
from archive.models import Person, Report
from archive.names.vocabulary import current
from archive.research import version_views
from archive.search_backend import korean
from archive.search_backend.analysis import WordAnalyzer

RESULTS = settings.BASE_DIR / "var" / "bench" / "limits.json"
CORPUS = settings.SHARED_DATA_DIR / "kcna_corpus.jsonl"
KOREAN_CORPUS = settings.SHARED_DATA_DIR / "nk_new_year_addresses_ko.jsonl"


def diff_cases(cap: int) -> list[tuple[str, str, str]]:
    """(what, before, after): texts at the length cap that are hard to compare."""
    same = "Hurrah.\n\n"
    count = cap // len(same)
    shifted = "a\n\nb\n\n" * (count // 2)
    words = "word " * (cap // 5)
    short = "a\n\n"
    unique = [f"Paragraph {n}." for n in range(cap // 16)]
    return [
        (
            f"{cap // 3:,} identical paragraphs, one changed",
            short * (cap // 3),
            short * (cap // 6) + "ab\n\n" + short * (cap // 6 - 2),
        ),
        (
            f"{len(unique):,} different paragraphs, in reverse order",
            "\n\n".join(unique),
            "\n\n".join(reversed(unique)),
        ),
        (f"{count:,} identical paragraphs, all replaced", same * count, "Boo.\n\n" * count),
        ("alternating paragraphs, shifted by one", shifted, "b\n\n" + shifted[:-3]),
        (
            f"{cap // 3:,} one-letter paragraphs, every other changed",
            "a\n\n" * (cap // 3),
            "a\n\nb\n\n" * (cap // 6),
        ),
        (
            f"one paragraph of {cap // 5:,} identical words, one changed",
            words,
            words[: cap // 2] + "name " + words[cap // 2 + 5 :],
        ),
        (
            f"{cap // 5:,} identical words, every tenth changed",
            words,
            ("word " * 9 + "name ") * (cap // 50),
        ),
    ]


class Command(BaseCommand):
    help = "Time the worst texts at the length cap: comparisons of versions, tagging."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args, **options):
        if "bench" not in str(settings.DATABASES["default"]["NAME"]):
            raise CommandError("Run through `make bench`: it uses its own database.")
        cap = settings.ARCHIVE_MAX_BODY_LENGTH
        if not Person.objects.exists():  # the names tagging looks for
            call_command("loaddata", *VOCABULARIES, verbosity=0)
        results = {"cap": cap, "diffs": self.diffs(cap, options["runs"]), "tagging": self.tags(cap)}
        results["korean"] = self.korean(cap)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2))
        self.stdout.write(f"Figures written to {RESULTS}")

    def diffs(self, cap: int, runs: int) -> list[dict]:
        self.stdout.write(f"\n== comparing two versions at the length cap ({cap:,} characters) ==")
        figures = []
        factory = RequestFactory()
        for what, before, after in diff_cases(cap):
            with transaction.atomic():
                report = Report.objects.create(
                    headline="Bench: repeated text",
                    slug="bench-limits",
                    body=before,
                    status=Report.Status.PUBLISHED,
                    publish_at=timezone.now() - datetime.timedelta(minutes=1),
                )
                report.body = after
                report.save()
                timings = []
                for _ in range(runs):
                    caches["comparisons"].clear()  # a comparison not made before
                    request = factory.get(
                        f"/reports/{report.slug}/changes/?from=1&to=2", HTTP_HOST="127.0.0.1"
                    )
                    started = time.perf_counter()
                    response = version_views.report_changes(request, report.slug)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.status_code
                transaction.set_rollback(True)
            row = {
                "case": what,
                "fastest_ms": round(min(timings), 1),
                "slowest_ms": round(max(timings), 1),
                "kb": len(response.content) // 1024,
            }
            figures.append(row)
            self.stdout.write(
                f"{what:<58} {row['fastest_ms']:>7.1f} ms (slowest {row['slowest_ms']:.1f}), "
                f"page {row['kb']:,} KB"
            )
        caches["comparisons"].clear()
        return figures

    def tags(self, cap: int) -> dict:
        self.stdout.write("\n== tagging: mentions of names found a second ==")
        figures = {}
        texts = {"one name on every line": ("Kim Jong Un visited a farm.\n" * 8000)[:cap]}
        texts["one name repeated to the cap, one line"] = ("Kim Jong Un " * (cap // 12))[:cap]
        if CORPUS.exists():
            with CORPUS.open(encoding="utf-8") as lines:
                articles = [json.loads(line) for _, line in zip(range(2000), lines, strict=False)]
            texts["2,000 KCNA articles"] = "\n\n".join(
                f"{a.get('title', '')}\n{a.get('body', '')}" for a in articles
            )
        tagging.findings("warm the vocabulary up")
        for what, text in texts.items():
            started = time.perf_counter()
            mentions = current().mentions(text)
            seconds = time.perf_counter() - started
            figures[what] = {
                "characters": len(text),
                "mentions": len(mentions),
                "seconds": round(seconds, 3),
                "mentions_per_second": round(len(mentions) / seconds) if seconds else None,
            }
            self.stdout.write(
                f"{what:<40} {len(text):>10,} characters {len(mentions):>8,} mentions "
                f"{seconds:>7.3f} s  {figures[what]['mentions_per_second']:>9,} a second"
            )
        return figures

    def korean(self, cap: int) -> dict:
        self.stdout.write("\n== Korean analysis, as the index reads a body ==")
        texts = {}
        if KOREAN_CORPUS.exists():
            with KOREAN_CORPUS.open(encoding="utf-8") as lines:
                bodies = [json.loads(line)["body"] for line in lines]
            texts["addresses, first half (no word known)"] = bodies[::2]
            texts["addresses, second half"] = bodies[1::2]
        texts.update(korean_worst(cap))
        started = time.perf_counter()
        korean.forms("보위부가")  # opens the dictionary, as the first Korean word of a process does
        figures = {"dictionary open seconds": round(time.perf_counter() - started, 2)}
        self.stdout.write(f"The dictionary opened in {figures['dictionary open seconds']} s")
        analyse = WordAnalyzer()
        for what, bodies in texts.items():
            started = time.perf_counter()
            forms = sum(1 for body in bodies for _ in analyse(body, positions=True))
            seconds = time.perf_counter() - started
            characters = sum(map(len, bodies))
            figures[what] = {
                "reports": len(bodies),
                "characters": characters,
                "forms": forms,
                "seconds": round(seconds, 3),
                "characters_per_second": round(characters / seconds),
                "reports_per_second": round(len(bodies) / seconds, 1),
            }
            self.stdout.write(
                f"{what:<40} {len(bodies):>4} reports {characters:>9,} characters "
                f"{seconds:>7.3f} s {characters / seconds:>9,.0f} characters/s "
                f"{len(bodies) / seconds:>7.1f} reports/s"
            )
        return figures


def korean_worst(cap: int) -> dict[str, list[str]]:
    """A Korean body at the cap of words all different (three to six syllables), and
    one of a single word the cap long."""
    rng = random.Random(7)
    words, size = [], 0
    while size < cap:
        word = "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(rng.randint(3, 6)))
        words.append(word)
        size += len(word) + 1
    one = "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(cap))
    return {
        "worst: every word new, at the cap": [" ".join(words)[:cap]],
        "worst: one word the cap long": [one],
    }
