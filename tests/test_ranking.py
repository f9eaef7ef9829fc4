"""Ranking and phrases: the report you remember first, phrases exactly as Whoosh finds them."""

import json
import random

import pytest
from whoosh.query import Phrase

from archive.search.running import ArchiveQuery, search

from .conftest import SHARED_DATA, index_now
from .factories import make_report

pytestmark = [pytest.mark.django_db, pytest.mark.engine]

FILLER = "The report described the situation in general terms and gave few details. "


def titles(text: str, **options) -> list[str]:
    return [r.headline for r in search(ArchiveQuery(text=text, **options)).reports]


def test_words_typed_together_rank_above_the_same_words_apart():
    make_report("Scattered", body="Guards at the post. " + FILLER * 3 + "A border town.")
    make_report("Together", body=FILLER * 3 + "The border guards were punished.")
    make_report("Reversed", body=FILLER * 3 + "The guards of the border were punished.")
    index_now()
    assert titles("border guards") == ["Together", "Reversed", "Scattered"]


def test_the_whole_query_as_a_phrase_ranks_first_even_in_a_long_report():
    long_report = FILLER * 40 + "security officers overseas were recalled last month"
    make_report("Exact", body=long_report)
    for i in range(5):  # short reports with every word, but not in a row
        make_report(
            f"Short {i}",
            body="Officers were recalled. Overseas security last month was tight.",
        )
    index_now()
    found = titles("security officers overseas were recalled last month")
    assert found[0] == "Exact"
    assert len(found) == 6


def test_a_word_in_the_headline_counts_more_than_in_the_body():
    body = FILLER * 2 + "Smuggling was reported."
    make_report("Crackdown on smuggling", body=body)
    make_report("Crackdown", body=body)
    index_now()
    assert titles("smuggling") == ["Crackdown on smuggling", "Crackdown"]


def test_stop_words_are_searchable_in_a_phrase_but_do_not_rank():
    make_report("For", body="The Council for Economic Cooperation met.")
    make_report("Of", body="The Council of Economic Cooperation met.")
    index_now()
    assert titles('"Council of Economic Cooperation"') == ["Of"]
    # Typed without quotes, both are found; the exact run first.
    assert titles("Council of Economic Cooperation") == ["Of", "For"]


def corpus_reports() -> list[tuple[str, str]]:
    corpus = SHARED_DATA / "kcna_corpus.jsonl"
    if not corpus.exists():
        pytest.skip(f"{corpus} is not here")
    with corpus.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line, _ in zip(lines, range(400), strict=False)]
    return [(r["title"][:300], r["body"]) for r in records]


def test_phrases_find_exactly_what_whooshs_phrase_query_finds(search_index):
    for headline, body in corpus_reports():
        make_report(headline, body=body)
    index_now()
    rng = random.Random(7)
    reports = list(search(ArchiveQuery(per_page=400)).reports)
    phrases = set()
    for report in rng.sample(reports, 60):  # runs of two to five words from real text
        words = report.body.replace('"', " ").split()
        length = rng.randint(2, 5)
        start = rng.randrange(0, max(1, len(words) - length))
        phrases.add(" ".join(words[start : start + length]))
    phrases |= {"Kim Jong Il", "Workers' Party of Korea", "the", "of the people", "U.S."}
    phrases |= {"of the Workers' Party of Korea"}  # a word twice in one phrase
    generation = search_index.generation()
    checked = 0
    for text in sorted(phrases):
        query = search_index.parse(f'"{text}"')
        if not isinstance(query, Phrase):
            continue  # one word, or nothing the analyzer keeps
        checked += 1
        with search_index.index.searcher() as searcher:
            whoosh = {int(hit["django_id"]) for hit in searcher.search(query, limit=None)}
        ours = search_index.archive_search(text, query_text=f'"{text}"', limit=1000)
        assert set(ours.ids) == whoosh, text
        assert ours.total == len(whoosh)
    assert checked >= 40 and generation.size == 400
