"""Django's ``loaddata``, with each report it loads versioned once.

A fixture stores each report, then its tags; recorded one at a time, a
published report would get a first version without its tags and a second
with them. Loading runs as one change (``ReportVersion.objects.one_change``),
so every report loaded ends with at most one new version, taken once all its
rows are in. A term the fixtures name by its slug is looked up once.
"""

from django.core.management.commands import loaddata

from archive.models import ReportVersion
from archive.models.terms import remembering_natural_keys


class Command(loaddata.Command):
    def handle(self, *fixture_labels, **options):
        with (
            ReportVersion.objects.one_change(using=options.get("database")),
            remembering_natural_keys(),
        ):
            return super().handle(*fixture_labels, **options)
