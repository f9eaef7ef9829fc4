import time

from django.core.management.base import BaseCommand

from archive import indexing
from archive.models import IndexChange
from archive.search_backend import engine


class Command(BaseCommand):
    help = (
        "Build a fresh search index in a new folder from the published reports, "
        "then switch to it atomically. Searches keep answering from the old index "
        "until the switch; changes made meanwhile are queued again for the indexer."
    )

    def handle(self, *args, **options):
        backend = engine()
        index = indexing.report_index()
        index.reset_caches()
        since = indexing.last_change_pk()
        reports = index.index_queryset().order_by("pk")
        total = reports.count()
        started = time.monotonic()

        def progress(done):
            if options["verbosity"] and (done % 5000 == 0 or done == total):
                self.stderr.write(f"indexed {done}/{total}")

        folder = backend.build_generation(index, reports.iterator(chunk_size=1000), progress)
        backend.switch_to(folder)
        changed = indexing.changes_since(since)
        IndexChange.objects.enqueue(changed)
        elapsed = time.monotonic() - started
        rate = total / elapsed if elapsed else 0
        if options["verbosity"]:
            self.stdout.write(
                f"Indexed {total} published report(s) into {folder.name} in {elapsed:.1f} s "
                f"({rate:.0f}/s); {len(changed)} change(s) made meanwhile queued again."
            )
