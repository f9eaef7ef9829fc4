from django.core.management.base import BaseCommand
from haystack import connections

from archive import indexing


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
        index = indexing.report_index()
        index.reset_caches()
        # What each entry should be, fingerprinted as the indexer would write it.
        expected = {
            report.pk: index.full_prepare(report)["stamp"]
            for report in index.index_queryset().iterator(chunk_size=1000)
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
