"""Importing the raw scraped seed reports."""

import datetime

import pytest
from django.core.management import call_command

from archive.models import Report

from .conftest import SEEDS

pytestmark = pytest.mark.django_db

FURNITURE = [
    "Read in Korean",
    "Most Popular Articles",
    "dailynkenglish@uni-media.net",
    "Daily NK works with a network of sources",
    "33.1 C",
    "Saturday, May 25, 2024",
    "by DailyNK",
    "Translated by",
    "#Korea",
    "border patrol rotated",
]

EXPECTED = {
    "000": {
        "headline": "",
        "body_starts": "North Korea has overhauled its standards",
        "body_ends": "the problematic structure of the bribery system.",
        "date": "Date unknown",
        "translator": "",
        "editor": "",
        "keywords": "Korea, reforms, security, oversight, agents, abuses, Russia, exposed",
        "missing": "headline, publication date",
    },
    "001": {
        "headline": "N. Korea cracks down on corruption in border patrol",
        "dek": "Recently launched crackdown is jointly led by agents from the MSS and "
        "Defense Security Command",
        "photo_caption": "North Korean border guard. (Kang Dong Wan)",
        "body_starts": "North Korea recently launched a crackdown",
        "body_ends": "they will have to start it all up again to survive.”",
        "date": "Date unknown",
        "translator": "Violet Kim",
        "editor": "",
        "missing": "publication date",
    },
    "002": {
        "headline": "Safety agents quit for ‘safer’ jobs",
        "dek": "",
        "body_starts": "More safety agents, who act as police officers",
        "body_ends": "even being beaten to death,” the source added.",
        "date": "Date unknown",
        "translator": "",
        "missing": "publication date",
    },
    "003": {
        "headline": "N. Korea’s state security agency cracks down on corruption in offices "
        "along border",
        "dek": "",
        "body_starts": "North Korea’s Ministry of State Security has designated April",
        "body_ends": "for the security of the state, the source said.",
        "date": "April 19, 2024",
        "time": datetime.time(5, 30),
        "translator": "David Black",
        "editor": "Robert Lauler",
        "missing": None,
    },
    "004": {
        "headline": "",
        "photo_caption": "FILE PHOTO: North Korea's embassy in Malaysia. (Daily NK)",
        "body_starts": "North Korea is ordering diplomatic consulates",
        "body_ends": "they never know when they’ll get called back home.”",
        "date": "Date unknown",
        "translator": "David Black",
        "editor": "Robert Lauler",
        "missing": "headline, publication date",
    },
}


def import_seed(number: str) -> Report:
    (path,) = [p for p in SEEDS if p.name.startswith(number)]
    call_command("import_reports", str(path), verbosity=0)
    return Report.objects.get(editor_notes__contains=path.name)


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_seed_yields_what_its_text_states(number):
    expected = EXPECTED[number]
    report = import_seed(number)
    assert report.headline == expected["headline"]
    assert report.dek == expected.get("dek", "")
    assert report.photo_caption == expected.get("photo_caption", "")
    assert report.body.startswith(expected["body_starts"])
    assert report.body.endswith(expected["body_ends"])
    assert str(report.date) == expected["date"]
    assert report.pub_time == expected.get("time")
    assert report.translator == expected["translator"]
    assert report.editor == expected.get("editor", "")
    assert report.keywords == expected.get("keywords", "")
    assert report.source.name == "Daily NK"
    for furniture in FURNITURE:
        assert furniture not in report.body
    # What was removed is listed for the editor; seed 002 came without furniture.
    assert ("Removed as page furniture: " in report.editor_notes) == (number != "002")
    if expected["missing"]:
        assert report.status == Report.Status.IN_REVIEW
        assert f"Missing from the raw text: {expected['missing']}." in report.editor_notes
    else:
        assert report.status == Report.Status.DRAFT
        assert "Missing" not in report.editor_notes


def test_paragraphs_survive_and_subheads_stay_in_the_body():
    report = import_seed("001")
    assert "LEAVING NO STONE UNTURNED" in report.paragraphs
    assert len(report.paragraphs) == 14


def test_unknown_dates_are_never_filled_in():
    for path in SEEDS:
        call_command("import_reports", str(path), verbosity=0)
    dated = Report.objects.exclude(pub_year=None)
    assert [str(r.date) for r in dated] == ["April 19, 2024"]
    assert Report.objects.filter(pub_month=None, pub_day=None).count() == 4


def test_importing_the_same_files_twice_adds_nothing(capsys):
    paths = [str(p) for p in SEEDS]
    call_command("import_reports", *paths)
    assert Report.objects.count() == 5
    call_command("import_reports", *paths)
    assert Report.objects.count() == 5
    assert "0 report(s) imported, 5 skipped as already present" in capsys.readouterr().out


def test_dry_run_counts_but_writes_nothing(capsys):
    call_command("import_reports", *map(str, SEEDS), "--dry-run")
    assert Report.objects.count() == 0
    assert "5 report(s) would be imported" in capsys.readouterr().out


def test_status_option_applies_to_complete_reports_only():
    call_command("import_reports", *map(str, SEEDS), "--status", "published", verbosity=0)
    statuses = dict(Report.objects.values_list("pub_year", "status").distinct())
    assert statuses[2024] == Report.Status.PUBLISHED
    assert Report.objects.filter(status=Report.Status.IN_REVIEW).count() == 4
    assert Report.objects.published().count() == 1


def test_html_in_scraped_text_is_not_kept_as_markup(write_file):
    path = write_file(
        "html.txt",
        "A headline\n\n<p>North Korea did something, a source told the reporter on Monday.</p>\n",
    )
    call_command("import_reports", str(path), verbosity=0)
    report = Report.objects.get()
    assert report.headline == "A headline"
    assert report.paragraphs == ["North Korea did something, a source told the reporter on Monday."]


def test_a_rescrape_with_other_page_furniture_is_the_same_report(write_file):
    (seed,) = [p for p in SEEDS if p.name.startswith("003")]
    call_command("import_reports", str(seed), verbosity=0)
    text = seed.read_text(encoding="utf-8").replace("33.1 C", "12.0 C")
    text = text.replace("Saturday, May 25, 2024", "Monday, June 3, 2024")
    call_command("import_reports", str(write_file("rescrape.txt", text)), verbosity=0)
    assert Report.objects.count() == 1


def test_sentences_that_merely_mention_writing_are_not_credits(write_file):
    path = write_file(
        "credit.txt",
        "A headline\n\nThe order came on paper, a source said.\n\nWritten by hand.\n",
    )
    call_command("import_reports", str(path), verbosity=0)
    report = Report.objects.get()
    assert report.reporter == ""
    assert "Written by hand." in report.body


def test_a_soft_line_break_in_scraped_text_is_removed_and_named(write_file, capsys):
    text = "Border guards\vfined\n\nGuards were fined,\x0ba source said on Monday.\n"
    call_command("import_reports", str(write_file("soft.txt", text)))
    report = Report.objects.get()
    assert report.headline == "Border guards fined"
    assert report.body == "Guards were fined, a source said on Monday."
    assert "soft.txt: removed invisible control characters (U+000B)" in capsys.readouterr().err
