import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive.models import (
    Person,
    PersonAlias,
    Position,
    Region,
    RegionAlias,
    Report,
    VocabularyState,
)

from .conftest import VOCABULARIES
from .factories import make_agency, make_region, make_report

pytestmark = pytest.mark.django_db


def test_published_is_status_published_and_time_reached():
    now = timezone.now()
    visible = make_report("Visible")
    make_report("Draft", status=Report.Status.DRAFT)
    make_report("In review", status=Report.Status.IN_REVIEW)
    make_report("Withdrawn", status=Report.Status.WITHDRAWN)
    make_report("Scheduled", publish_at=now + datetime.timedelta(minutes=5))
    assert list(Report.objects.published()) == [visible]


def test_scheduled_report_becomes_public_when_its_time_comes(monkeypatch):
    later = timezone.now() + datetime.timedelta(hours=2)
    report = make_report("Scheduled", publish_at=later)
    assert not Report.objects.published().exists()
    monkeypatch.setattr(timezone, "now", lambda: later + datetime.timedelta(seconds=1))
    assert list(Report.objects.published()) == [report]


def test_sort_date_follows_the_known_parts():
    report = make_report(pub_year=2024, pub_month=4)
    assert report.pub_date == datetime.date(2024, 4, 1)
    report.pub_year = None
    report.save()
    assert report.pub_date is None
    assert str(report.date) == "April, year unknown"


def test_an_impossible_date_is_refused_with_a_reason():
    report = make_report(status=Report.Status.DRAFT)
    report.pub_year, report.pub_month, report.pub_day = 2023, 2, 30
    with pytest.raises(ValidationError, match="Day 30 does not exist in month 2"):
        report.full_clean()


def test_a_report_without_headline_cannot_be_published():
    report = make_report(headline="", status=Report.Status.PUBLISHED)
    with pytest.raises(ValidationError, match="needs a headline"):
        report.full_clean()


def test_region_tree_and_cycle_guard():
    country = make_region("North Korea", Region.Kind.COUNTRY)
    province = make_region("Ryanggang", parent=country)
    city = make_region("Hyesan", Region.Kind.CITY, parent=province)
    assert city.ancestors() == [country, province]
    country.parent = city
    with pytest.raises(ValidationError, match="inside itself"):
        country.full_clean()


def test_agencies_cannot_be_put_in_a_loop_either():
    army = make_agency("Korean People's Army")
    command = make_agency("Defense Security Command", parent=army)
    assert command.ancestors() == [army]
    army.parent = command
    with pytest.raises(ValidationError, match="inside itself"):
        army.full_clean()


def test_loading_the_vocabularies_changes_their_version_once(django_capture_on_commit_callbacks):
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        call_command("loaddata", *VOCABULARIES, verbosity=0)
    version = VocabularyState.objects.get().version
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "archive_vocabularystate" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    # One new version for the whole load (written with an UPDATE, or an INSERT the first time).
    assert writes and all(str(version) in sql for sql in writes)
    assert len(writes) <= 2
    # Each place looked up by its slug at most twice: once to learn it is new, once when
    # first named (as a parent, in an alias); a load looked places up 1,668 times, and
    # aliases' places by their id 1,194 times more.
    region = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "archive_region".')
    ]
    assert (
        len([sql for sql in region if '"archive_region"."slug" =' in sql])
        <= 2 * Region.objects.count()
    )
    assert not any('"archive_region"."id" =' in sql for sql in region)
    assert RegionAlias.objects.get(name="North Hamkyung").region.slug == "north-hamgyong"


def test_loading_the_people_again_updates_them_and_adds_nothing_twice(vocabularies):
    counts = [model.objects.count() for model in (Person, PersonAlias, Position)]
    Position.objects.filter(person__slug="kim-jong-un").update(note="edited")
    call_command("loaddata", VOCABULARIES[-1], verbosity=0)  # people.json
    assert [model.objects.count() for model in (Person, PersonAlias, Position)] == counts
    posts = Position.objects.filter(person__slug="kim-jong-un")
    assert posts.exists() and not posts.filter(note="edited").exists()


def test_every_term_has_a_public_address():
    region = make_region("Ryanggang", slug="ryanggang")
    assert region.get_absolute_url() == "/regions/ryanggang/"


def test_html_typed_into_a_body_is_reduced_to_paragraphs():
    report = make_report(body="<p>First.</p><p>Second &amp; last.</p>")
    report.refresh_from_db()
    assert report.body == "First.\n\nSecond & last."


def test_text_a_feed_cannot_carry_is_refused_with_a_reason():
    report = make_report(status=Report.Status.DRAFT)
    report.headline = "Arrests\vin Hyesan"
    with pytest.raises(ValidationError, match=r"invisible control character \(U\+000B\)"):
        report.full_clean()
    region = make_region("Hyesan")
    region.name = "Hye\x01san"
    with pytest.raises(ValidationError, match=r"U\+0001"):
        region.full_clean()


def test_a_body_longer_than_the_limit_is_refused_with_a_reason(settings):
    assert settings.ARCHIVE_MAX_BODY_LENGTH == 200_000
    report = make_report(status=Report.Status.DRAFT)
    report.body = "word " * 40_001
    with pytest.raises(ValidationError, match="at most 200,000 characters"):
        report.full_clean()
    report.body = "word " * 39_999
    report.full_clean()


def test_loading_terms_into_an_empty_database_reads_nothing_per_row(tmp_path):
    """Fixtures load raw: telling the index what changed must not cost a query per term."""
    country = make_region("North Korea", Region.Kind.COUNTRY, slug="north-korea")
    for n in range(40):
        make_region(f"Province {n}", parent=country, slug=f"province-{n}")
    fixture = tmp_path / "regions.json"
    call_command("dumpdata", "archive.region", output=fixture, verbosity=0)
    Region.objects.exclude(pk=country.pk).delete()
    country.delete()
    with CaptureQueriesContext(connection) as queries:
        call_command("loaddata", fixture, verbosity=0)
    assert Region.objects.count() == 41
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "archive_" in q["sql"]
    ]
    assert len(reads) < 10, reads
