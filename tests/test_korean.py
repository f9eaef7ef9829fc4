"""Korean reports: imported, searched as Korean (particles, endings, North and South
spelling), beside English ones in one index; and no text breaks the name scan."""

import itertools
import json
import string

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.editing.importers.jsonl import parse_record
from archive.models import Report
from archive.names import vocabulary
from archive.names.romanization import alias_key, fold
from archive.search.running import ArchiveQuery, search
from archive.search_backend.analysis import WordAnalyzer, indexed_forms

from .conftest import index_now

pytestmark = pytest.mark.django_db

# A North Korean text in its own spelling (로동당, 리설주, 량강도, 녀성), with the
# furniture of the New Year addresses as collected: dateline, editor's summary, original.
ADDRESS = {
    "id": "nkny-test",
    "url": "http://www.kcna.kp/kp/article/q/test.kcmsf",
    "source": "Test source",
    "title": "신년사",
    "date": "2019-01-01",
    "body": (
        " \n\n조선로동당 중앙위원회 공동사설 - 2019년 01월 01일 \n해 제\n\n"
        "이 신년사는 경제건설을 강조하였다.\n\n원 문\n\n"
        "경애하는 김정은동지께서는 조선로동당을 령도하시였다. 로동당의 력사는 깊다.\n\n"
        "국가보위성은 량강도에서 녀성들의 일을 도왔다. 리설주가 함께 하였다.\n\n"
        "보위부가 말하고 보위부는 듣고 보위부를 보았다. 直心 １９４６년 －"
    ),
}
ENGLISH = {
    "korean_url": "http://www.kcna.kp/kp/article/q/test.kcmsf",  # its Korean edition
    "source": "Test source",
    "title": "Ministry of State Security Visits Ryanggang",
    "date": "2019-02-01",
    "body": "The Ministry of State Security sent agents to Ryanggang Province.",
}


@pytest.fixture
def korean(vocabularies, write_file):
    path = write_file(
        "ko.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in (ADDRESS, ENGLISH))
    )
    call_command("import_reports", str(path), status="published", verbosity=0)
    index_now()
    return Report.objects.get(language="ko")


def found(text: str, **filters) -> set[str]:
    results = search(ArchiveQuery(text=text, per_page=100, filters=filters))
    return {r.language for r in results.reports}


def test_a_korean_word_is_found_whatever_particle_follows_it():
    assert indexed_forms("보위부가") == indexed_forms("보위부는") == indexed_forms("보위부를")
    assert indexed_forms("보위부가") == ("보위부",)
    assert indexed_forms("김정일동지께서")[0] == indexed_forms("김정일")[0]


def test_north_and_south_korean_spelling_fold_together():
    for north, south in [
        ("로동당을", "노동당"),
        ("리설주", "이설주"),
        ("량강도에서", "양강도"),
        ("녀성", "여성"),
    ]:
        assert indexed_forms(north) == indexed_forms(south), north


def test_korean_forms_of_one_word_stand_in_a_row():
    tokens = WordAnalyzer(stoplist=None)("김정은동지께서 오셨다", positions=True)
    assert [(t.text, t.pos) for t in tokens][:2] == [("김정은", 0), ("동지", 1)]


def test_a_korean_report_round_trip(client, korean):
    # Imported as Korean, the editor's summary kept apart from the address.
    assert korean.language == "ko"
    assert "경제건설을 강조" not in korean.body
    assert (
        "summary that came before the text: 이 신년사는 경제건설을 강조하였다."
        in korean.editor_notes
    )
    assert korean.dek == "조선로동당 중앙위원회 공동사설"
    assert korean.slug == "sinnyeonsa"  # its headline, 신년사, in Latin letters
    assert korean.body.startswith("경애하는 김정은동지께서는")
    # Found by the word with any particle, by the South's spelling, inside a longer word.
    for query in (
        "보위부",
        "보위부가",
        "노동당",
        "조선노동당",
        "이설주",
        "양강도",
        "김정은",
        "여성",
    ):
        assert "ko" in found(query), query
    # The English name of a body finds the Korean report that names it in Korean, and
    # the Korean name finds the English report.
    assert found("Ministry of State Security") == {"en", "ko"}
    assert found("국가보위성") == {"en", "ko"}
    # One search, one index: a language facet narrows it.
    assert found("Ryanggang") == {"en", "ko"}
    assert found("Ryanggang", language=("ko",)) == {"ko"}
    page = client.get("/search/", {"q": "보위부"}).content.decode()
    assert "<mark>보위부가</mark>" in page
    assert "Korean" in client.get("/search/", {"q": "Ryanggang"}).content.decode()
    # The report and its English edition link each other.
    english = Report.objects.get(language="en")
    korean_page = client.get(korean.get_absolute_url()).content.decode("utf-8")
    assert "경애하는 김정은동지께서는" in korean_page
    assert f'href="{english.get_absolute_url()}" hreflang="en"' in korean_page
    english_page = client.get(english.get_absolute_url()).content.decode("utf-8")
    assert f'href="{korean.get_absolute_url()}" hreflang="ko"' in english_page
    # Its published version says its text is Korean, as the report's page does.
    version_page = client.get(f"{korean.get_absolute_url()}v1/").content.decode("utf-8")
    assert '<div class="body" lang="ko">' in version_page and '<h1 lang="ko">' in version_page
    # Exports and citations carry the Korean text as UTF-8.
    export = client.get("/search/export.jsonl", {"q": "보위부"})
    lines = b"".join(export.streaming_content).decode("utf-8").splitlines()
    headlines = {json.loads(line)["headline"] for line in lines}
    assert headlines == {"신년사", ENGLISH["title"]}  # 보위부 widened to the ministry's names
    csv = b"".join(client.get("/search/export.csv", {"q": "보위부"}).streaming_content)
    assert "신년사".encode() in csv
    ris = client.get(korean.get_absolute_url() + "cite.ris").content.decode("utf-8")
    assert "TI  - 신년사" in ris


def test_a_korean_record_names_its_language_or_is_read_for_it():
    line = json.dumps(ADDRESS | {"language": ""}, ensure_ascii=False)
    assert parse_record(line, "ko.jsonl", 1).language == "ko"
    line = json.dumps(ADDRESS | {"language": "ja"}, ensure_ascii=False)
    with pytest.raises(ValueError, match="language 'ja' is not one the archive has"):
        parse_record(line, "ko.jsonl", 1)


ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),  # any Unicode a report may hold, surrogates aside
        st.sampled_from("가보위부께서는리로량－１２直心ㄱㅏ\u0301\u200f\u202e😀 -.'’"),
        st.sampled_from(string.ascii_letters),
    ),
    max_size=60,
)


NUMBERS = itertools.count()
# Examples share the test's database: each checks only what it added.
ONE_DATABASE = [HealthCheck.function_scoped_fixture]


@settings(max_examples=300, deadline=None, suppress_health_check=ONE_DATABASE)
@given(text=ANY_TEXT)
def test_no_text_breaks_the_name_scan_the_folding_or_the_analyser(vocabularies, text):
    names = vocabulary.current()
    names.mentions(text + " Kim " + text)
    fold(text)
    alias_key(text, person=True)
    list(WordAnalyzer(stoplist=None)(text, positions=True, chars=True))


@settings(max_examples=60, deadline=None, suppress_health_check=ONE_DATABASE)
@given(body=ANY_TEXT)
def test_any_body_imports_or_is_refused_by_name(vocabularies, write_file, body):
    # A title of its own: an earlier example's report stays, and a repeat would be
    # skipped as the same story (and say so).
    record = {"title": f"제목 {next(NUMBERS)} {body[:10]}", "body": body, "date": "2019"}
    path = write_file("any.jsonl", json.dumps(record, ensure_ascii=False))
    before = Report.objects.count()
    try:
        call_command("import_reports", str(path), verbosity=0)
    except CommandError:  # refused, having said which record and why
        assert Report.objects.count() == before
    else:
        assert Report.objects.count() == before + 1


def test_a_lone_surrogate_in_json_is_refused_by_name(vocabularies, write_file, capsys):
    path = write_file(
        "odd.jsonl", '{"title": "제목", "body": "보위부 \\ud800 text", "date": "2019"}'
    )
    try:
        call_command("import_reports", str(path), verbosity=0)
    except CommandError:
        assert "odd.jsonl:1" in capsys.readouterr().err
        assert not Report.objects.exists()
    else:
        assert "\ud800" not in Report.objects.get().body


def test_a_korean_name_is_read_with_what_follows_it(vocabularies):
    text = (
        "김정은동지께서는 조선로동당을 령도하시였다. 보위부가 량강도에서 일하였다. 리설주가 왔다."
    )
    named = {m.entry.name: m.words for m in vocabulary.current().mentions(text)}
    assert named == {
        "Kim Jong Un": "김정은동지께서는",
        "Workers' Party of Korea": "조선로동당을",
        "Ministry of State Security": "보위부가",
        "Ryanggang": "량강도에서",
        "Ri Sol Ju": "리설주가",
    }


def test_a_korean_query_with_a_particle_widens_as_the_bare_name_does(vocabularies):
    with_particle = vocabulary.current().expand("보위부가").also_searched
    assert set(with_particle) == {*vocabulary.current().expand("보위부").also_searched, "보위부"}
    assert "Ministry of State Security" in with_particle


def test_every_place_and_nearly_every_body_has_its_korean_name(vocabularies):
    korean = vocabulary.current().korean_names
    entries = vocabulary.current().entries.values()
    places = {e.slug for e in entries if e.facet == "region"}
    bodies = {e.slug for e in entries if e.facet == "agency"}
    assert {slug for slug in places if ("region", slug) not in korean} == set()
    # The two whose Korean names no source at hand gives: left unnamed, not guessed.
    missing = {slug for slug in bodies if ("agency", slug) not in korean}
    assert missing == {"no-8-inspection-unit", "mss-prisons-bureau"}
    assert korean["region", "pochon-county"] == "보천군"


def test_a_syllable_read_as_a_syllable_and_a_letter_is_searched(client, vocabularies):
    # The analyser reads 쨎 as 째 and ᆽ, which compose back into 쨎: the name look-up once
    # went round that circle until Python's recursion limit.
    assert client.get("/search/", {"q": "쨎"}).status_code == 200
    assert vocabulary.current().lookup("쨎") == []
