import time

from django.core.management.base import BaseCommand

from archive.search import indexing


class Command(BaseCommand):
    help = (
        "Build a fresh search index in a new folder from the published reports, "
        "then switch to it atomically. Searches keep answering from the old index "
        "until the switch. Changes queued before the build are marked done (the new "
        "index has them); changes made meanwhile stay queued for the indexer."
    )

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done, total):
            if options["verbosity"] and (done % 5000 == 0 or done == total):
                self.stderr.write(f"indexed {done}/{total}")

        rebuilt = indexing.rebuild(progress)
        elapsed = time.monotonic() - started
        rate = rebuilt.total / elapsed if elapsed else 0
        if options["verbosity"]:
            self.stdout.write(
                f"Indexed {rebuilt.total} published report(s) into {rebuilt.folder.name} in "
                f"{elapsed:.1f} s ({rate:.0f}/s); {rebuilt.covered} queued change(s) it "
                f"covered marked done; {rebuilt.queued_again} report(s) changed meanwhile "
                "queued again."
            )
