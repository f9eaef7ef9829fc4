"""Importing JSON Lines, and every kind of bad input."""

import json
import os
import time

import pytest
from django.core.management import CommandError, call_command

from archive.models import Report, Topic

from .factories import make_report

pytestmark = pytest.mark.django_db


def jsonl(*records) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


GOOD = {
    "title": "Hyesan market closed",
    "date": "2024-03-02",
    "body": "Traders in Hyesan were told to go home.\n\nThe source said so.",
    "url": "https://example.org/hyesan-market",
}


def run_import(*paths, **options):
    call_command("import_reports", *map(str, paths), **options)


def test_records_with_tags_are_imported(vocabularies, write_file):
    record = {
        **GOOD,
        "regions": ["Ryanggang", "hyesan"],
        "agencies": ["MSS"],
        "topics": ["Markets"],
        "source": "Daily NK",
    }
    run_import(write_file("one.jsonl", jsonl(record)), verbosity=0)
    report = Report.objects.get()
    assert report.headline == "Hyesan market closed"
    assert str(report.date) == "March 2, 2024"
    assert report.paragraphs == ["Traders in Hyesan were told to go home.", "The source said so."]
    assert sorted(report.regions.values_list("slug", flat=True)) == ["hyesan", "ryanggang"]
    assert list(report.agencies.values_list("slug", flat=True)) == ["ministry-of-state-security"]
    assert Topic.objects.get(slug="markets").name == "Markets"
    assert report.source.slug == "daily-nk"
    assert report.status == Report.Status.DRAFT


def test_partial_and_missing_dates_are_kept_as_given(write_file):
    records = [
        {**GOOD, "url": "", "title": "A", "date": "2013"},
        {**GOOD, "url": "", "title": "B", "date": "2013-09"},
        {**GOOD, "url": "", "title": "C", "date": None},
    ]
    run_import(write_file("dates.jsonl", jsonl(*records)), verbosity=0)
    shown = dict((r.headline, str(r.date)) for r in Report.objects.all())
    assert shown == {"A": "2013", "B": "Sept. 2013", "C": "Date unknown"}
    assert Report.objects.get(headline="C").status == Report.Status.IN_REVIEW


def test_abbreviations_are_not_taken_for_scrape_joins(write_file):
    body = "Talks with the U.S., Japan and the Korea Co., Ltd. ended. It rained., The end."
    run_import(write_file("abbr.jsonl", jsonl({**GOOD, "body": body})), verbosity=0)
    assert Report.objects.get().paragraphs == [
        "Talks with the U.S., Japan and the Korea Co., Ltd. ended. It rained.",
        "The end.",
    ]


def test_valid_json_with_unicode_line_separators_is_read(write_file):
    record = {**GOOD, "body": "First\u2028still first.\u0085Same line."}
    run_import(write_file("u2028.jsonl", jsonl(record)), verbosity=0)
    assert Report.objects.count() == 1


def test_a_byte_order_mark_left_in_a_title_is_taken_out(write_file):
    # One of the New Year addresses' titles began with it ("\ufeff친애하는 동지들"):
    # an invisible character, sorted and searched as part of the headline.
    record = {**GOOD, "title": "\ufeffHyesan market closed", "body": "\ufeff" + GOOD["body"]}
    run_import(write_file("bom.jsonl", jsonl(record)), verbosity=0)
    report = Report.objects.get()
    assert report.headline == "Hyesan market closed" and "\ufeff" not in report.body


def test_topics_in_korean_script_stay_distinct(write_file):
    record = {**GOOD, "topics": ["국가보위성", "사회안전성"]}
    run_import(write_file("korean.jsonl", jsonl(record)), "--create-topics", verbosity=0)
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["국가보위성", "사회안전성"]
    assert Report.objects.get().topics.count() == 2


def test_unknown_topics_are_kept_as_the_sources_sections_not_invented(write_file, capsys):
    known = Topic.objects.create(name="Border control", slug="border-control")
    records = [
        {**GOOD, "id": "a", "topics": ["Top News", "Border control"], "sections": ["Korea"]},
        {**GOOD, "id": "b", "topics": ["Top News", "World"], "body": "Another story."},
    ]
    run_import(write_file("sections.jsonl", jsonl(*records)))
    assert list(Topic.objects.all()) == [known]
    first, second = Report.objects.order_by("import_key")
    assert [t.slug for t in first.topics.all()] == ["border-control"]
    assert (first.sections, second.sections) == ("Korea, Top News", "Top News, World")
    out = capsys.readouterr().out
    assert "kept as the source's sections: “Top News” 2, “World” 1" in out
    assert "--create-topics" in out


def test_the_summary_says_which_fields_sent_reports_to_review(write_file, capsys):
    undated = {**GOOD, "id": "u", "source": "Daily NK"}
    undated.pop("date")
    run_import(
        write_file("review.jsonl", jsonl(undated, {**undated, "id": "v", "body": "Another."})),
        "--status",
        "published",
    )
    out = capsys.readouterr().out
    assert "2 sent to review" in out
    assert "Sent to review, by what the raw text lacked: publication date 2." in out


def test_a_revised_text_at_a_known_address_is_reported_not_silently_dropped(write_file, capsys):
    revised = {**GOOD, "body": "A corrected text."}
    run_import(write_file("rev.jsonl", jsonl(GOOD, revised)))
    assert Report.objects.count() == 1
    err = capsys.readouterr().err
    assert "rev.jsonl:2: same id or address but another text as line 1, skipped" in err


def test_a_file_named_twice_is_read_once(write_file, capsys):
    path = write_file("once.jsonl", jsonl(GOOD))
    run_import(path, path, "--dry-run")
    assert "1 report(s) would be imported" in capsys.readouterr().out


def test_html_bodies_become_paragraphs_and_scrape_joins_are_mended(write_file):
    records = [
        {**GOOD, "body": "<p>One &amp; two.</p><p>Three.</p>"},
        {**GOOD, "url": "https://example.org/2", "body": "It met on Wednesday., The talks ended."},
    ]
    run_import(write_file("html.jsonl", jsonl(*records)), verbosity=0)
    bodies = list(Report.objects.order_by("pk").values_list("body", flat=True))
    assert bodies == ["One & two.\n\nThree.", "It met on Wednesday.\n\nThe talks ended."]


def test_same_address_with_a_revised_text_keeps_both_versions(write_file):
    first = {**GOOD, "id": "a1"}
    revised = {**GOOD, "id": "a2", "body": "A corrected text."}
    run_import(write_file("revised.jsonl", jsonl(first, revised)), verbosity=0)
    assert Report.objects.count() == 2


STORY = (
    "Kim Jong Un inspected the new tactical missile launchers at a ceremony on Sunday. "
    "He said the weapons would strengthen the country's defence, and praised the workers "
    "of the munitions industry who made them in record time. Senior officials of the party "
    "and the army were present, and the launchers were handed over to the units."
)


def test_the_same_story_under_another_id_is_named_and_skipped_unless_kept(write_file, capsys):
    first = {**GOOD, "id": "k1", "title": "Ceremony Held", "body": STORY}
    again = {**first, "id": "k2", "body": STORY.replace("on Sunday", "on August 4")}
    other = {**first, "id": "k3", "title": "Another Story", "body": "Rain fell in Hyesan."}
    run_import(write_file("kcna.jsonl", jsonl(first, again, other)), verbosity=0)
    assert sorted(Report.objects.values_list("import_key", flat=True)) == ["id::k1", "id::k3"]
    captured = capsys.readouterr()
    assert "kcna.jsonl:2: the same story as line 1 (same source address, texts " in captured.err
    assert "; skipped (--keep-duplicates imports it)" in captured.err
    assert "kcna.jsonl:3: imported; compare line 1 (same source address, texts 0% alike)" in (
        captured.err
    )
    assert "1 skipped as the same story as another report" in captured.out

    # Later, the same story under a new id and address, with its headline and day.
    moved = {**again, "id": "k4", "url": "https://example.org/elsewhere"}
    run_import(write_file("later.jsonl", jsonl(moved)), verbosity=0)
    report = Report.objects.get(import_key="id::k1")
    assert f"the same story as {report.slug} (same headline and date" in capsys.readouterr().err
    run_import(write_file("later.jsonl", jsonl(moved)), verbosity=0, keep_duplicates=True)
    assert Report.objects.filter(import_key="id::k4").exists()


def test_repeated_record_within_a_file_is_skipped_and_reported(write_file, capsys):
    run_import(write_file("twice.jsonl", jsonl(GOOD, GOOD)))
    assert Report.objects.count() == 1
    captured = capsys.readouterr()
    assert "twice.jsonl:2: same record as line 1, skipped" in captured.err
    assert "1 new, 1 already in the archive" in captured.out


def test_records_without_address_are_recognised_by_their_text(write_file):
    path = write_file("no-url.jsonl", jsonl({**GOOD, "url": ""}))
    run_import(path, verbosity=0)
    run_import(path, verbosity=0)
    assert Report.objects.count() == 1


def test_same_headlines_get_distinct_slugs(write_file):
    records = [
        {**GOOD, "url": "", "body": "First text."},
        {**GOOD, "url": "", "body": "Second text."},
    ]
    run_import(write_file("same.jsonl", jsonl(*records)), verbosity=0)
    slugs = sorted(Report.objects.values_list("slug", flat=True))
    assert slugs == ["hyesan-market-closed", "hyesan-market-closed-2024"]


BAD_FILES = {
    "empty": ("empty.jsonl", "", "empty.jsonl: the file is empty"),
    "blank lines only": ("blank.txt", "\n\n  \n", "blank.txt: the file is empty"),
    "binary": ("binary.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00", "the file is binary"),
    "not utf-8": ("latin1.txt", "Pyongyang caf\xe9".encode("latin-1"), "not UTF-8"),
    "unknown kind": ("report.pdf", "%PDF-1.4", "unknown kind of file “.pdf”"),
    "broken json": (
        "broken.jsonl",
        jsonl(GOOD, '{"title": "Cut off", "body": '),
        "broken.jsonl:2: broken JSON",
    ),
    "not an object": ("list.jsonl", jsonl(GOOD, "[1, 2]"), "list.jsonl:2: a record must be"),
    "missing body": (
        "nobody.jsonl",
        jsonl(GOOD, {"title": "No body", "body": "   "}),
        "nobody.jsonl:2: missing body",
    ),
    "missing title": ("notitle.jsonl", jsonl({"body": "Text."}), "notitle.jsonl:1: missing title"),
    "absurd date": (
        "absurd.jsonl",
        jsonl(GOOD, {**GOOD, "url": "", "date": "1066-10-14"}),
        "absurd.jsonl:2: absurd date '1066-10-14'",
    ),
    "impossible day": (
        "feb30.jsonl",
        jsonl({**GOOD, "date": "2023-02-30"}),
        "feb30.jsonl:1: absurd date '2023-02-30': day 30 does not exist in month 2",
    ),
    "malformed date": (
        "format.jsonl",
        jsonl({**GOOD, "date": "19/04/2024"}),
        "format.jsonl:1: date '19/04/2024' is not YYYY",
    ),
    "bad address": (
        "url.jsonl",
        jsonl({**GOOD, "url": "javascript:alert(1)"}),
        "url.jsonl:1: “url” is not a web address",
    ),
    "duplicate slug in file": (
        "slugs.jsonl",
        jsonl({**GOOD, "slug": "same"}, {**GOOD, "url": "", "slug": "same", "body": "Other."}),
        "slugs.jsonl:2: duplicate slug “same”",
    ),
    "unknown region": (
        "place.jsonl",
        jsonl({**GOOD, "regions": ["Atlantis"]}),
        "place.jsonl:1: unknown region “Atlantis”",
    ),
    "overlong headline": (
        "long.jsonl",
        jsonl({**GOOD, "title": "x" * 301}),
        "long.jsonl:1: headline is 301 characters long (at most 300)",
    ),
    "overlong dek": (
        "dek.jsonl",
        jsonl({**GOOD, "dek": "y" * 600}),
        "dek.jsonl:1: dek is 600 characters long (at most 500)",
    ),
    "malformed slug": (
        "upper.jsonl",
        jsonl({**GOOD, "slug": "Upper-Case"}),
        "upper.jsonl:1: malformed slug “Upper-Case”: use at most 80 lower-case letters",
    ),
    "nested too deeply": (
        "deep.jsonl",
        jsonl(GOOD, "[" * 100_000 + "]" * 100_000),
        "deep.jsonl:2: broken JSON (nested too deeply)",
    ),
    "title that is not text": (
        "bool.jsonl",
        jsonl({**GOOD, "title": True}),
        "bool.jsonl:1: “title” must be text, not true",
    ),
    "tags that are not a list": (
        "zero.jsonl",
        jsonl({**GOOD, "regions": 0}),
        "zero.jsonl:1: “regions” must be a list of names, not 0",
    ),
    "overlong id": (
        "id.jsonl",
        jsonl({**GOOD, "id": "x" * 700}),
        "id.jsonl:1: the id or address is longer than",
    ),
    "text file with an impossible date": (
        "feb30.txt",
        "Border guards fined\n\nGuards were fined, a source said on Monday.\n\n"
        "Feb. 30, 2024 at 25:99PM\n",
        "the time in “Feb. 30, 2024 at 25:99PM” does not exist",
    ),
    "text file with a future date": (
        "future.txt",
        "Border guards fined\n\nGuards were fined, a source said.\n\nApril 19, 2099\n",
        "absurd date “April 19, 2099”",
    ),
    "text file with only a headline": (
        "headline.txt",
        "Just a headline\n",
        "no report body: only a headline left after removing page furniture",
    ),
    "NUL inside a JSON string": (
        "nul.jsonl",
        jsonl(GOOD, {**GOOD, "url": "", "body": "Text\u0000with a NUL."}),
        "nul.jsonl:2: “body” holds a NUL character (\\u0000): binary data, not text",
    ),
    "body over the limit": (
        "longbody.jsonl",
        jsonl({**GOOD, "body": "word " * 40_001}),
        "longbody.jsonl:1: body is 200,004 characters long (at most 200,000)",
    ),
    "scraped text of furniture only": (
        "furniture.txt",
        "33.1 C\nRead in Korean\nMost Popular Articles\nSome headline\n",
        "no report body: nothing left after removing page furniture",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_input_is_explained_and_nothing_is_written(case, write_file, capsys):
    name, content, message = BAD_FILES[case]
    good = write_file("good.jsonl", jsonl({**GOOD, "url": "https://example.org/good"}))
    with pytest.raises(CommandError, match="1 file"):
        run_import(write_file(name, content), good)
    err = capsys.readouterr().err
    assert message in err
    assert "nothing imported from it" in err
    # The bad file left nothing behind; the good file beside it went in.
    assert list(Report.objects.values_list("original_url", flat=True)) == [
        "https://example.org/good"
    ]


def test_slug_already_in_the_archive_is_refused(write_file, capsys):
    make_report(slug="taken")
    with pytest.raises(CommandError):
        run_import(write_file("taken.jsonl", jsonl({**GOOD, "slug": "taken"})))
    assert "taken.jsonl:1: duplicate slug “taken”" in capsys.readouterr().err
    assert Report.objects.count() == 1


def test_every_problem_in_a_file_is_listed_not_just_the_first(write_file, capsys):
    content = jsonl({"title": "x"}, "{oops", {**GOOD, "date": "2999"})
    with pytest.raises(CommandError):
        run_import(write_file("many.jsonl", content))
    err = capsys.readouterr().err
    assert "many.jsonl:1:" in err and "many.jsonl:2:" in err and "many.jsonl:3:" in err
    assert "3 problem(s)" in err


def test_missing_file_is_reported(tmp_path, capsys):
    with pytest.raises(CommandError):
        run_import(tmp_path / "nowhere.jsonl")
    assert "cannot read the file" in capsys.readouterr().err


def test_pasted_control_characters_are_removed_and_named(write_file, capsys):
    record = {**GOOD, "title": "Hyesan\u000bmarket closed", "dek": "Traders\u0001 sent home"}
    run_import(write_file("ctrl.jsonl", jsonl(record)))
    report = Report.objects.get()
    assert report.headline == "Hyesan market closed"
    assert report.dek == "Traders sent home"
    err = capsys.readouterr().err
    assert "ctrl.jsonl:1: removed invisible control characters (U+000B, U+0001)" in err
    assert "from “title”, “dek”" in err
    assert "Removed invisible control characters" in report.editor_notes


def test_a_line_far_over_the_limit_is_refused_before_it_is_read(write_file, capsys):
    huge = jsonl({**GOOD, "body": "word " * 4_000_000})  # 20 MB on one line
    started = time.monotonic()
    with pytest.raises(CommandError):
        run_import(write_file("huge.jsonl", huge), "--dry-run")
    assert time.monotonic() - started < 3
    err = capsys.readouterr().err
    assert "huge.jsonl:1: the line is 20,000," in err
    assert "a report's body may hold at most 200,000 characters" in err


def _seconds_to_import(path, **options) -> float:
    started = time.monotonic()
    run_import(path, **options)
    return time.monotonic() - started


@pytest.mark.parametrize("length", [200_000, 200_001])
@pytest.mark.parametrize("unit", ["QUJD", "<a", "a.,"], ids=["base64", "tag-like", "join-like"])
def test_long_unbroken_text_is_read_in_linear_time(vocabularies, write_file, capsys, length, unit):
    """A base64 image pasted into a body: one "word" of 200,000 characters.

    Timed against ordinary prose of the same length on the same machine, so a slow or
    busy runner does not fail it; a pattern that backtracks is thousands of times slower
    on such a word (hours, not seconds), which no allowance hides."""
    prose = ("Traders in Hyesan were told to go home. " * 5_000)[:200_000]
    ordinary = _seconds_to_import(
        write_file("prose.jsonl", jsonl({**GOOD, "url": "https://example.org/p", "body": prose})),
        verbosity=0,
    )
    body = (unit * length)[:length]
    path = write_file("b64.jsonl", jsonl({**GOOD, "body": body}))
    started = time.monotonic()
    if length > 200_000:
        with pytest.raises(CommandError):
            run_import(path)
        assert "body is 200,001 characters long (at most 200,000)" in capsys.readouterr().err
    else:
        run_import(path, verbosity=0)
        assert len(Report.objects.get(original_url=GOOD["url"]).body) == length
    assert time.monotonic() - started < 20 * ordinary + 0.5


def test_symbolic_links_are_not_followed(tmp_path, write_file, capsys):
    secret = write_file("secret.txt", "Root password\n\nThe password is hunter2, said the admin.\n")
    link = tmp_path / "innocent.txt"
    link.symlink_to(secret)
    with pytest.raises(CommandError):
        run_import(link)
    err = capsys.readouterr().err
    assert "innocent.txt: a symbolic link, not read" in err
    assert not Report.objects.exists()
    # Asked for, a link to a regular file is read.
    run_import(link, "--follow-symlinks", verbosity=0)
    assert Report.objects.get().headline == "Root password"


def test_devices_and_pipes_are_not_read(tmp_path, capsys):
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)  # nobody writes: reading it would wait for ever
    with pytest.raises(CommandError, match="2 file"):
        run_import(pipe, "/dev/null")
    err = capsys.readouterr().err
    assert "pipe.jsonl: not a regular file (a pipe), not read" in err
    assert "/dev/null: not a regular file (a device), not read" in err


def test_a_body_naming_one_person_thousands_of_times_is_tagged_in_linear_time(
    vocabularies, write_file
):
    """16,600 mentions of Kim Jong Un on one line took 223 s (each mention read its whole
    line again); timed against prose of the same length, as above."""
    prose = ("Traders in Hyesan were told to go home. " * 5_000)[:199_200]
    ordinary = _seconds_to_import(
        write_file("prose.jsonl", jsonl({**GOOD, "url": "https://example.org/p", "body": prose})),
        verbosity=0,
    )
    body = ("Kim Jong Un " * 16_600)[:199_200]
    path = write_file("kim.jsonl", jsonl({**GOOD, "body": body}))
    seconds = _seconds_to_import(path, verbosity=0)
    report = Report.objects.get(original_url=GOOD["url"])
    assert report.people.filter(name="Kim Jong Un").exists() or report.tag_suggestions.exists()
    assert seconds < 20 * ordinary + 0.5
