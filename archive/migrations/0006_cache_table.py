"""The tables of Django's database cache (rate counts, comparisons of versions).

``createcachetable`` run by ``migrate``, so that no set-up step is added: it
makes the tables of the database caches in ``CACHES`` that are missing, in the
database the router gives them (SQLite's cache file, see ``archive.routers``),
and nothing when the cache lives elsewhere (``DJANGO_CACHE_URL``).
"""

from django.core.management import call_command
from django.db import connections, migrations


def create_cache_table(apps, schema_editor):
    for alias in connections:
        call_command("createcachetable", database=alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_versions_and_alerts")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
