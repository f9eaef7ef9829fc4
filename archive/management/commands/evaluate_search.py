"""``manage.py evaluate_search``: how well search finds what readers look for.

Not a test: it prints tables and writes ``var/bench/evaluation.json``. ``make
bench`` runs it on the KCNA corpus (``--corpus``: the 19,887 real articles,
imported as a user would into a database and index of its own under
``var/bench/eval``), where a remembered passage names one report; in the
100,000-report speed corpus, whose reports recombine the same paragraphs,
it would name several. It runs on any archive without ``--corpus``.

- **Known item.** Reports are sampled with a fixed seed; from each, a run of
  5 to 8 consecutive words of its body is searched, unquoted, as a reader
  who remembers a passage would. Reported: the mean reciprocal rank of the
  report (MRR, counting the first 100 results), how often it comes first,
  and how often it is on page one (20 results). The same queries run through
  SQLite FTS5 over the same reports, as baselines: bm25 alone, and exact
  phrase matches first, then the rest by bm25. A second seed checks that
  ranking was not tuned to the first sample.
- **Spelling variants.** For every term with other names that occur in the
  reports, does each name find the same reports as the term's own name? Names
  in Korean script are counted apart too.
- **Korean** (when the archive holds Korean reports): recall of inflected forms
  and North/South spellings (``measuring.korean``), on two seeds.
"""

import json
import random
import re
import sqlite3
import statistics
import string
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.common.hangul import HANGUL_RE
from archive.facets import ALIASED
from archive.management.commands.load_initial_data import VOCABULARIES
from archive.management.measuring import korean
from archive.models import Report
from archive.names import vocabulary
from archive.search.running import ArchiveQuery, search
from archive.search_backend import engine

RESULTS = settings.BASE_DIR / "var" / "bench" / "evaluation.json"
DEPTH = 100  # ranks counted for MRR
PAGE = 20
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
PUNCTUATION = string.punctuation + "“”‘’«»…–—"


@dataclass
class Sample:
    report_id: int
    query: str


class Command(BaseCommand):
    help = "Measure known-item ranking against SQLite FTS5 baselines, and spelling variants."

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1, help="The sample ranking is judged on.")
        parser.add_argument("--check-seed", type=int, default=2, help="A second sample.")
        parser.add_argument("--skip-variants", action="store_true")
        parser.add_argument(
            "--corpus",
            type=Path,
            help="A JSON Lines corpus to import, with the vocabularies, into an empty archive.",
        )
        parser.add_argument("--out", type=Path, default=RESULTS)

    def handle(self, *args, **options):
        if options["corpus"] and not Report.objects.exists():
            self.prepare(options["corpus"])
        results = {"known_item": {}, "variants": None}
        reports = list(
            Report.objects.published().values_list("pk", "headline", "body").order_by("pk")
        )
        self.stdout.write(f"{len(reports):,} published reports")
        with tempfile.TemporaryDirectory() as folder:
            baseline = Fts5(Path(folder) / "fts.sqlite3", reports)
            for label, seed in (("sample", options["seed"]), ("check", options["check_seed"])):
                samples = sample(reports, options["queries"], seed)
                figures = {
                    "ours": self.measure(samples, ours),
                    "fts5 bm25": self.measure(samples, baseline.bm25),
                    "fts5 phrase first": self.measure(samples, baseline.phrase_first),
                }
                results["known_item"][f"{label} (seed {seed})"] = figures
                self.table(f"Known item, {len(samples)} queries, seed {seed}", figures)
        if not options["skip_variants"]:
            results["variants"] = self.variants()
        if Report.objects.published().filter(language="ko").exists():
            seeds = (options["seed"], options["check_seed"])
            results["korean"] = self.korean(options["queries"], *seeds)
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        options["out"].write_text(json.dumps(results, indent=2))
        self.stdout.write(f"Figures written to {options['out']}")

    def prepare(self, corpus: Path) -> None:
        started = time.monotonic()
        call_command("loaddata", *VOCABULARIES, verbosity=0)
        call_command("import_reports", str(corpus), status="published", verbosity=0)
        call_command("rebuild_search", verbosity=0)
        self.stdout.write(
            f"imported and indexed {corpus.name} in {time.monotonic() - started:.0f} s"
        )

    def measure(self, samples: list[Sample], system) -> dict:
        ranks, times = [], []
        for item in samples:
            started = time.perf_counter()
            found = system(item.query)
            times.append((time.perf_counter() - started) * 1000)
            ranks.append(found.index(item.report_id) + 1 if item.report_id in found else None)
        return {
            "mrr": round(statistics.mean(1 / r if r else 0 for r in ranks), 3),
            "first": round(sum(r == 1 for r in ranks) / len(ranks), 3),
            "page_one": round(sum(bool(r and r <= PAGE) for r in ranks) / len(ranks), 3),
            "not_found": sum(r is None for r in ranks),
            "median_ms": round(statistics.median(times), 1),
        }

    def table(self, title: str, figures: dict) -> None:
        self.stdout.write(f"\n{title}")
        self.stdout.write(
            f"{'system':<20}{'MRR':>7}{'first':>8}{'page 1':>8}{'missed':>8}{'ms':>8}"
        )
        for name, row in figures.items():
            self.stdout.write(
                f"{name:<20}{row['mrr']:>7.3f}{row['first']:>8.1%}{row['page_one']:>8.1%}"
                f"{row['not_found']:>8}{row['median_ms']:>8.1f}"
            )

    def korean(self, queries: int, *seeds: int) -> dict:
        found = {f"seed {seed}": korean.inflected_recall(ids, seed, queries) for seed in seeds}
        found["all"] = korean.inflected_recall(ids, 0, None)
        for label, row in found.items():
            self.stdout.write(
                f"\nKorean inflected forms ({label}): searching the bare word finds "
                f"{row['recall']:.1%} of the reports holding {row['pairs']} sampled forms "
                f"(of {row['of']:,})"
            )
            for line in row["missed"][:10]:
                self.stdout.write(f"  missed: {line}")
        spelling = korean.north_south(ids)
        self.stdout.write(
            f"North/South spelling: {spelling['same']} of {spelling['pairs']} pairs in the "
            "reports find the same reports"
        )
        for row in spelling["rows"]:
            self.stdout.write(
                f"  {row['north']} / {row['south']}: {row['found']:,} reports, "
                + ("same" if row["same"] else "DIFFERENT")
            )
        return {"inflected": found, "north_south": spelling}

    def variants(self) -> dict:
        """Does every name of a term that occurs in the reports find what its own name
        finds? A table by vocabulary: terms, their names, names in the reports, identical."""
        names = vocabulary.current()
        table = {}
        differing = []
        in_korean = {"in_reports": 0, "identical": 0}
        for entry in names.entries.values():
            if entry.facet not in {f.name for f in ALIASED}:
                continue
            row = table.setdefault(
                entry.facet, {"terms": 0, "names": 0, "in_reports": 0, "identical": 0}
            )
            row["terms"] += 1
            row["names"] += len(entry.searchable)
            canonical = None
            for name in entry.searchable:
                if name == entry.name or not ids(name, exact=True):
                    continue  # this spelling is in no report
                canonical = ids(entry.name) if canonical is None else canonical
                row["in_reports"] += 1
                hangul = HANGUL_RE.search(name) is not None
                in_korean["in_reports"] += hangul
                if ids(name) == canonical:
                    row["identical"] += 1
                    in_korean["identical"] += hangul
                else:
                    differing.append(f"{entry.name} / {name}")
        pairs = sum(row["in_reports"] for row in table.values())
        identical = sum(row["identical"] for row in table.values())
        self.stdout.write(
            f"\nSpelling variants: {identical} of {pairs} names that occur in the reports "
            "find exactly what the term's own name finds"
        )
        self.stdout.write(f"{'':<10}{'terms':>7}{'names':>7}{'in reports':>12}{'identical':>11}")
        for facet, row in sorted(table.items()):
            self.stdout.write(
                f"{facet:<10}{row['terms']:>7}{row['names']:>7}{row['in_reports']:>12}"
                f"{row['identical']:>11}"
            )
        self.stdout.write(
            f"of which in Korean script: {in_korean['identical']} of {in_korean['in_reports']}"
        )
        for line in differing[:20]:
            self.stdout.write(f"  differs: {line}")
        return {
            "korean_script": in_korean,
            "pairs": pairs,
            "identical": identical,
            "by_vocabulary": table,
            "differing": differing[:50],
        }


def ids(text: str, exact: bool = False) -> frozenset[int]:
    """Every report a search finds (ids only, no page), widened unless ``exact``."""
    expansion = None if exact else vocabulary.current().expand(f'"{text}"')
    raw = engine().archive_search(
        text=text,
        query_text=expansion.text if expansion else f'"{text}"',
        limit=10**7,
        sort="newest",
    )
    return frozenset(raw.ids)


def ours(query: str) -> list[int]:
    results = search(ArchiveQuery(text=query, per_page=DEPTH), suggest=False)
    return [r.pk for r in results.reports]


def sample(reports, count: int, seed: int) -> list[Sample]:
    """``count`` reports with at least 40 words, each with a run of 5-8 of its words.

    Words as written (“U.S.”, “Jong Un's”), without the punctuation around them,
    and no quotation marks (they would make a phrase query).
    """
    rng = random.Random(seed)
    long_enough = [r for r in reports if len(r[2].split()) >= 40]
    chosen = rng.sample(long_enough, min(count, len(long_enough)))
    samples = []
    for pk, _, body in chosen:
        words = [w.strip(PUNCTUATION) for w in body.replace('"', " ").split()]
        words = [w for w in words if WORD_RE.search(w)]
        length = rng.randint(5, 8)
        start = rng.randrange(0, len(words) - length)
        samples.append(Sample(pk, " ".join(words[start : start + length])))
    return samples


class Fts5:
    """The same reports in SQLite FTS5 (Porter stemming), for the baselines."""

    def __init__(self, path: Path, reports):
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(headline, body, tokenize='porter unicode61')"
        )
        self.db.executemany("INSERT INTO docs(rowid, headline, body) VALUES (?, ?, ?)", reports)
        self.db.commit()

    def _query(self, match: str, limit: int = DEPTH) -> list[int]:
        rows = self.db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (match, limit),
        )
        return [row[0] for row in rows]

    @staticmethod
    def _words(query: str) -> list[str]:
        return [w.replace('"', "") for w in WORD_RE.findall(query)]

    def bm25(self, query: str) -> list[int]:
        words = self._words(query)
        return self._query(" AND ".join(f'"{w}"' for w in words)) if words else []

    def phrase_first(self, query: str) -> list[int]:
        words = self._words(query)
        if not words:
            return []
        first = self._query('"' + " ".join(words) + '"')
        rest = [pk for pk in self.bm25(query) if pk not in set(first)]
        return (first + rest)[:DEPTH]
