"""``manage.py evaluate_incidents``: how well the archive proposes that two reports
are one incident, against incidents labelled by hand.

Not a test: it prints tables. Run it on an archive that holds the KCNA corpus,
imported as a user would (``import_reports kcna_corpus.jsonl --status published``)
and indexed. The labels (``tests/data/incidents/incidents.jsonl``, made by reading
with the guide beside them) list every report of each incident; a label's report
is found by the corpus id its import key ends in.

For each labelled report, the reports ``search.incidents.pairs`` offers are pairs
proposed at their likeness. At a threshold, a proposed pair is right when both
reports are in one labelled incident and wrong otherwise (the labels list every
report of an incident, so a report outside it is another event); recall is the
share of the labelled incidents' pairs proposed. Reported for the tuning half
(on which the weights and ``PROPOSE_AT`` were set) and the test half apart, with
the time ``pairs`` takes per report.
"""

import itertools
import json
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.models import Report
from archive.search import incidents

LABELS = Path(settings.BASE_DIR) / "tests" / "data" / "incidents" / "incidents.jsonl"
THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


class Command(BaseCommand):
    help = "Pairwise precision and recall of proposed incidents, on both labelled halves."

    def add_arguments(self, parser):
        parser.add_argument("--labels", default=str(LABELS))
        parser.add_argument(
            "--fit",
            action="store_true",
            help="Fit the weights on the tuning half and print them (for WEIGHTS and BIAS).",
        )

    def handle(self, *args, labels, fit, **options):
        rows = [json.loads(line) for line in Path(labels).read_text().splitlines() if line]
        by_corpus_id = self.reports()
        for half in ("tuning", "test"):
            chosen = [row for row in rows if row["half"] == half]
            groups = [
                {by_corpus_id[r["id"]] for r in row["reports"] if r["id"] in by_corpus_id}
                for row in chosen
            ]
            missing = sum(len(row["reports"]) for row in chosen) - sum(map(len, groups))
            groups = [g for g in groups if len(g) > 1]
            if fit:
                self.fit(groups)
                return
            self.measure(half, len(chosen), groups, missing)

    def fit(self, groups: list[set[int]]) -> None:
        """A logistic regression over every pair the finder offers for the tuning half's
        reports (one event or not, by the labels)."""
        from sklearn.linear_model import LogisticRegression

        member = {pk: n for n, group in enumerate(groups) for pk in group}
        reports = Report.objects.in_bulk(list(member))
        names, rows, labels = list(incidents.WEIGHTS), [], []
        for pk in sorted(member):
            for pair in incidents.pairs(reports[pk]):
                if pair.days is not None and pair.days > incidents.WINDOW.days:
                    continue
                features = pair.features()
                rows.append([features[name] for name in names])
                labels.append(member.get(pair.other) == member[pk])
        model = LogisticRegression(max_iter=1000).fit(rows, labels)
        weights = {n: round(float(w), 2) for n, w in zip(names, model.coef_[0], strict=True)}
        self.stdout.write(f"{len(rows)} pairs, {sum(labels)} of one event")
        self.stdout.write(f"WEIGHTS = {weights}\nBIAS = {float(model.intercept_[0]):.2f}")

    def reports(self) -> dict[str, int]:
        found = Report.objects.published().by_source_id()
        if not found:
            raise CommandError("No imported corpus here: import the KCNA corpus first.")
        return found

    def measure(self, half: str, count: int, groups: list[set[int]], missing: int) -> None:
        truth = {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}
        labelled = set().union(*groups) if groups else set()
        scores: dict[frozenset, float] = {}
        seconds = []
        reports = Report.objects.in_bulk(list(labelled))
        for pk in sorted(labelled):
            started = time.perf_counter()
            found = incidents.pairs(reports[pk])
            seconds.append(time.perf_counter() - started)
            for pair in found:
                key = frozenset((pk, pair.other))
                scores[key] = max(scores.get(key, 0.0), pair.likeness)
        self.stdout.write(
            f"\n== {half} half: {count} incidents, {len(labelled)} reports found "
            f"({missing} labelled reports not in this archive), {len(truth)} pairs =="
        )
        self.stdout.write(f"{'threshold':>9} {'proposed':>9} {'precision':>9} {'recall':>7}")
        for threshold in THRESHOLDS:
            proposed = {key for key, score in scores.items() if score >= threshold}
            right = len(proposed & truth)
            precision = right / len(proposed) if proposed else 1.0
            recall = right / len(truth) if truth else 0.0
            mark = "  <- PROPOSE_AT" if threshold == incidents.PROPOSE_AT else ""
            self.stdout.write(
                f"{threshold:>9.2f} {len(proposed):>9} {precision:>9.3f} {recall:>7.3f}{mark}"
            )
        if seconds:
            ms = sorted(s * 1000 for s in seconds)
            self.stdout.write(
                f"pairs() per report: median {statistics.median(ms):.0f} ms, "
                f"p95 {ms[int(len(ms) * 0.95)]:.0f} ms"
            )
