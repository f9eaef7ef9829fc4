from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.models import Report
from archive.search_backend import engine

FIXTURE_DIR = settings.BASE_DIR / "fixtures"
# The curated vocabularies (places, bodies, topics, sources; then people, whose
# positions name bodies), the demo reports and an incident of one of them.
VOCABULARIES = [FIXTURE_DIR / "vocabularies.json", FIXTURE_DIR / "people.json"]
FIXTURES = [*VOCABULARIES, FIXTURE_DIR / "demo_reports.json", FIXTURE_DIR / "demo_incidents.json"]


class Command(BaseCommand):
    help = (
        "Load the curated vocabularies and the five demo reports, then rebuild the "
        "search index. Fixtures are keyed on slugs: loading again resets the demo "
        "records, so --if-empty skips loading when the archive already has reports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an archive with no reports yet (keeps editors' changes).",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if options["if_empty"] and Report.objects.exists():
            self.stdout.write("The archive already has reports; demo content not loaded.")
            call_command("run_indexer", "--once", verbosity=verbosity)
            indexed = engine().document_count()
            if indexed != Report.objects.published().count():
                # e.g. var/index was removed: build it again rather than serve an empty search.
                call_command("rebuild_search", verbosity=verbosity)
            return
        call_command("loaddata", *FIXTURES, verbosity=verbosity)
        call_command("rebuild_search", verbosity=verbosity)
