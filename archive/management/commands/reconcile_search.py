from django.core.management.base import BaseCommand

from archive.models import IndexChange
from archive.search import indexing


class Command(BaseCommand):
    help = (
        "Compare the search index with the database and list every report whose "
        "entry disagrees (missing, stale, or present though not published). "
        "With --fix, queue them for the indexer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true")

    def handle(self, *args, fix, **options):
        found = indexing.disagreements()
        for label, ids in found.items():
            if ids:
                shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
                self.stdout.write(f"{label}: {len(ids)} report(s): {shown}")
        wrong = [pk for ids in found.values() for pk in ids]
        if not wrong:
            public = indexing.report_index().index_queryset().count()
            self.stdout.write(f"The index agrees with the database ({public} reports).")
        elif fix:
            IndexChange.objects.enqueue(wrong)
            self.stdout.write(f"Queued {len(wrong)} report(s) for the indexer.")
