"""Suggest tags for reports from their text, or measure the suggestions."""

from django.core.management.base import BaseCommand, CommandError

from archive.editing import evaluation, tagging
from archive.models import Report, TagSuggestion


class Command(BaseCommand):
    help = (
        "Suggest tags (the places, bodies and people a report's text names) for editors to "
        "accept or reject; with --evaluate, compare suggestions with tags chosen by hand: "
        "the tags reports already have, or a file of hand tags (--hand-tags, --texts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these reports (default: all).")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Change nothing: print precision and recall against hand tags.",
        )
        parser.add_argument(
            "--hand-tags",
            help="With --evaluate: a JSON list of hand tags by id "
            "(tests/data/kcna_hand_tags.json) instead of the reports' own tags.",
        )
        parser.add_argument(
            "--texts",
            help="With --hand-tags: the JSON-lines file of their texts "
            "(tests/data/kcna_hand_tagged.jsonl).",
        )
        parser.add_argument(
            "--sample",
            nargs="?",
            const=evaluation.SAMPLE,
            help="With --evaluate: the labelled sample (default tests/data/tagged_sample.jsonl).",
        )
        parser.add_argument(
            "--split",
            action="append",
            choices=["train", "test", "holdout"],
            help="With --sample: the splits measured (default: test; repeat for more).",
        )
        parser.add_argument(
            "--near",
            action="store_true",
            help="Count a place one level off in the tree (county and province) as agreeing.",
        )
        parser.add_argument(
            "--automatic",
            action="store_true",
            help="Measure only what is applied without an editor, not every suggestion.",
        )
        parser.add_argument("--quiet-misses", action="store_true", help="Print the figures only.")
        parser.add_argument(
            "--coverage",
            action="store_true",
            help="Change nothing: print the share of published reports carrying each kind of tag.",
        )

    def handle(self, *slugs, **options):
        if options["coverage"]:
            reports = Report.objects.published()
            self.stdout.write(f"{reports.count():,} published reports; carrying at least one")
            for kind, share in evaluation.coverage(reports).items():
                self.stdout.write(f"  {kind:<17} {share:6.1%}")
            return
        measure = {"near": options["near"], "automatic": options["automatic"]}
        if options["sample"]:
            if not options["evaluate"]:
                raise CommandError("--sample goes with --evaluate.")
            splits = tuple(options["split"] or ["test"])
            try:
                cases = evaluation.sample_cases(options["sample"], splits)
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Cannot read the sample: {exc}") from None
            self.stdout.write(f"{len(cases)} reports of the sample ({', '.join(splits)})")
            return self.report(evaluation.evaluate(cases, **measure), options["quiet_misses"])
        if options["hand_tags"] or options["texts"]:
            if not (options["evaluate"] and options["hand_tags"] and options["texts"]):
                raise CommandError("--hand-tags and --texts go together, with --evaluate.")
            try:
                cases = evaluation.hand_tagged_cases(options["hand_tags"], options["texts"])
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Cannot read the hand tags: {exc}") from None
            return self.report(evaluation.evaluate(cases, **measure), options["quiet_misses"])
        reports = Report.objects.order_by("pk")
        if options["slugs"]:
            reports = reports.filter(slug__in=options["slugs"])
        if options["evaluate"]:
            cases = evaluation.cases_of(reports.prefetch_related("regions", "agencies", "people"))
            return self.report(evaluation.evaluate(cases, **measure), options["quiet_misses"])
        if options["redo_pending"]:
            TagSuggestion.objects.filter(
                report__in=reports, decision=TagSuggestion.Decision.PENDING
            ).delete()
        before = TagSuggestion.objects.filter(decision=TagSuggestion.Decision.AUTOMATIC).count()
        added = sum(tagging.suggest(report) for report in reports.iterator())
        automatic = (
            TagSuggestion.objects.filter(decision=TagSuggestion.Decision.AUTOMATIC).count() - before
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{added - automatic:,} tag suggestion(s) added for review; "
                f"{automatic:,} tag(s) applied automatically."
            )
        )

    def report(self, result: evaluation.Evaluation, quiet: bool) -> None:
        if not quiet:
            for slug, term in result.misses:
                self.stdout.write(f"missed   {slug}: {term}")
            for slug, term, evidence in result.extras:
                self.stdout.write(f"extra    {slug}: {term} (found as “{evidence}”)")
        for kind, part in result.by_facet.items():
            self.stdout.write(
                f"{kind:<8} {part.suggested:>4} suggested, {part.correct:>4} right, "
                f"{part.tagged:>4} hand tags: precision {part.precision:.1%}, "
                f"recall {part.recall:.1%}"
            )
        for rule, part in result.by_rule.items():
            kind = "automatic" if tagging.RULES[rule].automatic else "review"
            self.stdout.write(
                f"rule {rule:<13} {part.suggested:>4} suggested, {part.correct:>4} right: "
                f"precision {part.precision:.1%} ({kind})"
            )
        self.stdout.write(
            f"{result.suggested} suggested, {result.correct} of them tagged by hand; "
            f"{result.tagged} hand tags. Precision {result.precision:.1%}, "
            f"recall {result.recall:.1%}."
        )
