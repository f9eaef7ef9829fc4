"""The demo content: five seed reports finished by hand, and the vocabularies."""

import pytest
from django.core.management import call_command

from archive.models import Region, Report

from .conftest import SEEDS

pytestmark = pytest.mark.django_db

BORDER_REPORT = "n-korea-cracks-down-on-corruption-in-border-patrol"


def test_five_reports_are_published(demo, client):
    assert Report.objects.published().count() == 5
    page = client.get("/").content.decode()
    for report in Report.objects.all():
        assert str(report.headline).replace("'", "&#x27;") in page


def test_missing_headlines_were_written_by_editors_and_say_so(demo, client):
    supplied = Report.objects.filter(headline_supplied=True)
    assert supplied.count() == 2
    page = client.get(supplied[0].get_absolute_url()).content.decode()
    assert "(headline by the archive)" in page


def test_only_the_one_known_date_is_given(demo):
    dated = Report.objects.exclude(pub_year=None).get()
    assert str(dated.date) == "April 19, 2024"
    assert Report.objects.filter(pub_year=None, pub_month=None, pub_day=None).count() == 4


def test_facts_from_sources_are_recorded(demo):
    border = Report.objects.get(slug=BORDER_REPORT)
    assert border.translator == "Violet Kim"
    assert border.original_url.startswith("https://www.dailynk.com/english/north-korea-cracks")
    assert "Jan. 15" in border.date_note
    assert Report.objects.filter(translator="David Black", editor="Robert Lauler").count() == 2


def test_border_patrol_report_is_tagged_as_its_text_states(demo):
    border = Report.objects.get(slug=BORDER_REPORT)
    assert set(border.regions.values_list("name", flat=True)) >= {
        "Ryanggang",
        "Hyesan",
        "Pochon County",
        "Kim Jong Suk County",
        "Samsu County",
        "Pyongyang",
    }
    assert set(border.agencies.values_list("name", flat=True)) == {
        "Ministry of State Security",
        "Defense Security Command",
        "Korean People's Army",
        "No. 8 Inspection Unit",
    }


def test_vocabulary_has_every_province_and_special_city(demo):
    country = Region.objects.get(slug="north-korea")
    top = Region.objects.filter(parent=country)
    assert top.filter(kind=Region.Kind.PROVINCE).count() == 9
    assert set(top.filter(kind=Region.Kind.SPECIAL_CITY).values_list("slug", flat=True)) == {
        "pyongyang",
        "rason",
        "nampo",
        "kaesong",
    }


def test_every_north_korean_place_is_in_the_tree_with_a_gazetteer_reference(demo):
    south = Region.objects.get(slug="south-korea")
    places = Region.objects.exclude(kind=Region.Kind.COUNTRY).exclude(parent=south)
    assert places.count() > 200  # the whole gazetteer
    for region in places:
        assert region.ancestors()[0].slug == "north-korea", region
        assert region.source_ref, region
    # South Korea's provinces are there for the names the two Koreas share.
    assert Region.objects.filter(parent=south, kind=Region.Kind.PROVINCE).count() == 9


def test_reimporting_the_seeds_over_the_demo_adds_nothing(demo):
    call_command("import_reports", *map(str, SEEDS), verbosity=0)
    assert Report.objects.count() == 5


def test_load_initial_data_builds_a_searchable_index(db):
    from haystack.query import SearchQuerySet

    call_command("load_initial_data", verbosity=0)
    assert SearchQuerySet().count() == 5
    assert SearchQuerySet().filter(content="Hyesan").count() == 1
    call_command("load_initial_data", "--if-empty", verbosity=0)
    assert Report.objects.count() == 5


def test_restarting_with_a_lost_index_rebuilds_it(db, search_index):
    import shutil

    from haystack.query import SearchQuerySet

    from archive.models import IndexChange

    call_command("load_initial_data", verbosity=0)
    call_command("run_indexer", "--once", verbosity=0)
    assert not IndexChange.objects.filter(processed=None).exists()  # nothing left to replay
    shutil.rmtree(search_index.root)  # var/index deleted, the database kept
    call_command("load_initial_data", "--if-empty", verbosity=0)
    assert SearchQuerySet().count() == 5
