"""Train the learned taggers and measure them on the sample's unseen halves."""

import os
import tempfile
import time
from pathlib import Path

import joblib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.editing import evaluation, learning, simulation, taggers
from archive.editing.findings import RULES
from archive.models import Report, TagSuggestion
from archive.names.vocabulary import current


def decided_cases() -> list[evaluation.Case]:
    """Published reports on which an editor decided a suggestion, their tags as truth.
    Drafts' decisions wait until the report is published."""
    decided = TagSuggestion.objects.filter(
        decision__in=[TagSuggestion.Decision.ACCEPTED, TagSuggestion.Decision.REJECTED]
    ).values("report")
    return evaluation.cases_of(Report.objects.published().filter(pk__in=decided).order_by("pk"))


class Command(BaseCommand):
    help = (
        "Train the learned taggers (whether a report is about a place, body or person it "
        "names; its topics) on the labelled sample's training half and editors' decisions "
        "on published reports, with thresholds at the target precision measured by "
        "cross-validation on the training data alone; write the model file. With "
        "--evaluate, also print precision and recall on the test half and the holdout, "
        "beside the rules' automatic tags."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sample", default=evaluation.SAMPLE)
        parser.add_argument("--output", default=str(settings.ARCHIVE_TAGGER_MODEL))
        parser.add_argument("--target", type=float, default=learning.TARGET_PRECISION)
        parser.add_argument("--evaluate", action="store_true")
        parser.add_argument(
            "--curve",
            action="store_true",
            help="Also print the automatic tags on the test half after 0, 100, 300 and "
            "1,000 editors' decisions simulated from the training half (no model written "
            "from them).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        names = current()
        agree = evaluation.agreement(names)
        try:
            training = evaluation.sample_cases(options["sample"], ("train",))
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read the sample: {exc}") from None
        decisions = decided_cases()
        cases = training + decisions
        rows, labels, owners = learning.rows_of(cases, names, agree)
        # Precision is measured on the sample alone (drawn at random); editors' decisions
        # come in the queue's order, hardest first, and only teach.
        sample = {i for i, owner in enumerate(owners) if owner < len(training)}
        c, thresholds = learning.choose_c(rows, labels, options["target"], measured_on=sample)
        about = learning.AboutModel(c).fit(rows, labels)
        about.thresholds = thresholds
        topics = learning.fit_topics(cases, names, options["target"], measured=len(training))
        test = evaluation.sample_cases(options["sample"], ("test",))
        measured = {
            "reports": len(test),
            "kinds": learning.measure(
                test, learning.applied_tags(test, names, about, topics), agree
            ),
        }
        self._save(options["output"], about, topics, names, len(training), len(decisions), measured)
        self.stdout.write(
            f"Trained on {len(training)} sample reports and {len(decisions)} decided ones "
            f"({len(rows)} named terms) in {time.monotonic() - started:.0f} s: C {c}, "
            "thresholds "
            + ", ".join(f"{k} {v:.2f}" for k, v in {**thresholds, **_one(topics)}.items())
        )
        if options["evaluate"]:
            for split in ("test", "holdout"):
                self._evaluate(options["sample"], split, names, agree, about, topics)
        if options["curve"]:
            self._curve(training, evaluation.sample_cases(options["sample"]), names, agree)

    def _save(self, output, about, topics, names, sample, decided, measured) -> None:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        model = {
            "format": taggers.FORMAT,
            "vocabulary": taggers.fingerprint(names),
            "about": about,
            "topics": topics,
            "trained_on": {"sample": sample, "decided": decided},
            "measured": measured,  # on the test half: kind -> (applied, precision, recall)
        }
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
            joblib.dump(model, file)
        os.replace(file.name, path)  # readers never see half a file
        size = path.stat().st_size / 1e6
        self.stdout.write(f"Model written to {path} ({size:.1f} MB)")

    def _evaluate(self, sample, split, names, agree, about, topics) -> None:
        cases = evaluation.sample_cases(sample, (split,))
        applied = learning.applied_tags(cases, names, about, topics)
        learned = learning.measure(cases, applied, agree)
        by_rules = evaluation.evaluate(cases, near=True, automatic=True)
        rules = by_rules.by_facet
        self.stdout.write(f"\n{split}: {len(cases)} reports; automatic tags, rules then learned")
        self.stdout.write(f"{'':<8}{'rules P':>9}{'R':>7}{'learned':>9}{'P':>7}{'R':>7}")
        for kind, (count, precision, recall) in learned.items():
            old = rules.get(kind)
            self.stdout.write(
                f"{kind:<8}{old.precision if old.suggested else 0:>9.2f}{old.recall:>7.2f}"
                f"{count:>9}{precision:>7.2f}{recall:>7.2f}"
            )
        self.stdout.write(f"{'by rule':<22}{'rules':>6}{'P':>7}{'learned':>9}{'P':>7}")
        learned_rules = learning.measure_by_rule(cases, applied, agree)
        for rule in RULES:
            old, new = by_rules.by_rule.get(rule), learned_rules.get(rule)
            if old is None and new is None:
                continue
            self.stdout.write(
                f"{rule:<22}{old.suggested if old else 0:>6}"
                f"{old.precision if old else 0:>7.2f}"
                f"{new[0] if new else 0:>9}{new[1] if new else 0:>7.2f}"
            )

    def _curve(self, training, test, names, agree) -> None:
        self.stdout.write(
            f"\nAutomatic tags on the test half ({len(test)} reports) after simulated "
            "decisions (0: the rules); applied, precision, recall"
        )
        kinds = learning.NAME_KINDS
        self.stdout.write(f"{'order':<12}{'decided':>8}" + "".join(f"{k:>22}" for k in kinds))
        for order in ("uncertainty", "audited", "shuffled"):
            for decided, figures in simulation.curve(training, test, names, agree, order=order):
                cells = "".join(
                    f"{figures[k][0]:>10}{figures[k][1]:>6.2f}{figures[k][2]:>6.2f}" for k in kinds
                )
                self.stdout.write(f"{order:<12}{decided:>8}{cells}")


def _one(topics) -> dict:
    values = set(topics.thresholds.values())
    if len(values) == 1:
        return {"topic": values.pop()}
    shared = max(values, key=list(topics.thresholds.values()).count)
    return {"topic (most)": shared} if values else {}
