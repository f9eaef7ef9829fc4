"""Suggest regions and agencies for reports from their text, or measure the suggestions."""

from django.core.management.base import BaseCommand

from archive import tagging
from archive.models import Report


class Command(BaseCommand):
    help = (
        "Suggest tags (regions and agencies named in the text) for editors to accept or "
        "reject; with --evaluate, compare suggestions with the tags reports already have."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these reports (default: all).")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Change nothing: print precision and recall against the existing tags.",
        )

    def handle(self, *slugs, **options):
        reports = Report.objects.order_by("pk")
        if options["slugs"]:
            reports = reports.filter(slug__in=options["slugs"])
        if options["evaluate"]:
            result = tagging.evaluate(reports.prefetch_related("regions", "agencies"))
            for slug, term in result.misses:
                self.stdout.write(f"missed   {slug}: {term}")
            for slug, term, evidence in result.extras:
                self.stdout.write(f"extra    {slug}: {term} (found as “{evidence}”)")
            self.stdout.write(
                f"{result.suggested} suggested, {result.correct} of them tagged by hand; "
                f"{result.tagged} hand tags. Precision {result.precision:.1%}, "
                f"recall {result.recall:.1%}."
            )
            return
        added = sum(tagging.suggest(report) for report in reports.iterator())
        self.stdout.write(self.style.SUCCESS(f"{added} tag suggestion(s) added for review."))
