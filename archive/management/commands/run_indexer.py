import signal

from django.core.management.base import BaseCommand

from archive.research import alerts
from archive.search import indexing
from archive.search_backend import IndexBusy


class Command(BaseCommand):
    help = (
        "Apply queued changes to the search index in batches, with one writer, and send "
        "the queued confirmations of search alerts. Run exactly one indexer per index "
        "(make serve starts it beside gunicorn)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Apply the queue, then stop.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks.")
        parser.add_argument("--batch", type=int, default=500, help="Changes per index commit.")

    def handle(self, *args, once, interval, batch, **options):
        if once:
            total = 0
            try:
                while applied := indexing.apply_batch(batch):
                    total += applied
            except IndexBusy as exc:
                self.stderr.write(f"{exc}; {indexing.status()['pending']} change(s) stay queued.")
            self.stdout.write(f"Applied {total} queued change(s).")
            return
        stopping = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.append(True))
        self.stdout.write("Search indexer running; stop with Ctrl-C.")
        # The confirmations of search alerts go from here, never inside a request.
        indexing.run(
            interval=interval,
            batch_size=batch,
            stop=lambda: bool(stopping),
            chores=[alerts.send_queued_mail],
        )
        self.stdout.write("Search indexer stopped.")
