from django.core.management.base import BaseCommand
from haystack import connections

from archive import indexing
from archive.models import Report


class Command(BaseCommand):
    help = (
        "Compare the search index with the database and list every report whose "
        "entry disagrees (missing, stale, or present though not published). "
        "With --fix, queue them for the indexer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true")

    def handle(self, *args, fix, **options):
        backend = connections["default"].get_backend()
        indexed = backend.indexed_stamps()
        expected = {
            pk: updated.isoformat()
            for pk, updated in Report.objects.published().values_list("pk", "updated")
        }
        missing = sorted(set(expected) - set(indexed))
        extra = sorted(set(indexed) - set(expected))
        stale = sorted(pk for pk in set(expected) & set(indexed) if expected[pk] != indexed[pk])
        for label, ids in (("missing", missing), ("not public", extra), ("stale", stale)):
            if ids:
                shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
                self.stdout.write(f"{label}: {len(ids)} report(s): {shown}")
        wrong = missing + extra + stale
        if not wrong:
            self.stdout.write(f"The index agrees with the database ({len(expected)} reports).")
        elif fix:
            indexing.enqueue(wrong)
            self.stdout.write(f"Queued {len(wrong)} report(s) for the indexer.")
