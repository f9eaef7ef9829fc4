"""Ask the taggers again about reports in the archive (after ``train_taggers``), or undo
the last such run."""

import time

from django.core.management.base import BaseCommand, CommandError

from archive.editing import retagging, taggers
from archive.models import Report, Retagging
from archive.names.vocabulary import current


class Command(BaseCommand):
    help = (
        "Retag reports with the taggers now in use: suggest what they name and nobody "
        "decided, apply what the taggers are sure of, withdraw automatic tags they no "
        "longer back. Editors' decisions are never changed. --undo puts the last run back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=[s for s, _ in Report.Status.choices])
        parser.add_argument(
            "--undo", action="store_true", help="Undo the last retagging not yet undone."
        )
        parser.add_argument("--list", action="store_true", help="List the retaggings.")

    def handle(self, *args, **options):
        if options["list"]:
            for run in Retagging.objects.all():
                state = f"undone {run.undone:%Y-%m-%d %H:%M}" if run.undone else "in force"
                self.stdout.write(
                    f"{run.pk:>4}  {run.started:%Y-%m-%d %H:%M}  {run.reports:,} reports, "
                    f"{run.made:,} made, {run.applied:,} applied, {run.withdrawn:,} withdrawn "
                    f"({state}; {run.model})"
                )
            return
        if options["undo"]:
            last = Retagging.objects.filter(undone__isnull=True).first()
            if last is None:
                raise CommandError("No retagging to undo.")
            done = retagging.undo(last)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Retagging {last.pk} undone: {done['deleted']:,} suggestion(s) it made "
                    f"removed, {done['restored']:,} put back as they were, "
                    f"{done['untagged']:,} tag(s) it applied taken off."
                )
            )
            return
        _, reason = taggers.loaded(current())
        if reason != "ok":
            self.stdout.write(
                self.style.WARNING(f"No learned taggers ({reason}): the rules decide.")
            )
        reports = Report.objects.all()
        if options["status"]:
            reports = reports.filter(status=options["status"])
        started = time.monotonic()
        run = retagging.run(reports)
        self.stdout.write(
            self.style.SUCCESS(
                f"Retagging {run.pk}: {run.reports:,} reports read in "
                f"{time.monotonic() - started:.0f} s; {run.made:,} suggestion(s) made, "
                f"{run.applied:,} tag(s) applied, {run.withdrawn:,} automatic tag(s) "
                f"withdrawn. Undo with: manage.py retag --undo"
            )
        )
