"""Data migrations: what an existing archive becomes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("archive", "0001_initial")]
AFTER = [("archive", "0002_term_reference")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


@pytest.mark.django_db(transaction=True)
def test_existing_terms_stay_as_public_as_they_were_without_the_leak():
    """Curated terms and unused ones are reference vocabulary; a term only unpublished
    work uses stays private, and one published reports use is public through them."""
    apps = migrate(BEFORE)
    try:
        region, topic = apps.get_model("archive", "Region"), apps.get_model("archive", "Topic")
        report = apps.get_model("archive", "Report")
        country = region.objects.create(name="North Korea", slug="north-korea", kind="country")
        chagang = region.objects.create(
            name="Chagang", slug="chagang", kind="province", parent=country
        )
        camp = region.objects.create(name="Camp", slug="camp", kind="district", parent=chagang)
        region.objects.create(name="Spare Town", slug="spare-town", kind="city", parent=chagang)
        secret, public = (topic.objects.create(name=n, slug=n) for n in ("secret", "public"))
        topic.objects.create(name="Spare", slug="spare")
        draft = report.objects.create(slug="draft", body="Text.", status="in-review")
        draft.regions.add(camp)
        draft.topics.add(secret)
        published = report.objects.create(slug="published", body="Text.", status="published")
        published.topics.add(public)

        apps = migrate(AFTER)
        flags = {
            term.slug: term.reference
            for name in ("Region", "Topic")
            for term in apps.get_model("archive", name).objects.all()
        }
        assert flags == {
            "north-korea": True,  # curated
            "chagang": True,  # curated, though a draft inside it is tagged
            "camp": False,  # made for unpublished work
            "spare-town": True,  # nothing uses it: it was public
            "secret": False,
            "public": False,  # public while published reports carry it
            "spare": True,
        }
    finally:
        migrate(None)
