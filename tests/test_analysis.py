"""The one-pass analyzer gives exactly Whoosh's tokens, so the index means what it meant
(Korean words aside: their forms are tested in ``test_korean``)."""

import json

import pytest
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

from archive.search_backend.analysis import WordAnalyzer

from .conftest import SEEDS, SHARED_DATA

ODD = (
    "The U.S. people's 2024 co-op a I x9 état Ŭnch'ŏn 함경북도 ‘quoted’ state-security "
    "... 1.5 v.2.0"
)


def texts() -> list[str]:
    found = [seed.read_text(encoding="utf-8") for seed in SEEDS] + [ODD, "", "   "]
    corpus = SHARED_DATA / "kcna_corpus.jsonl"
    if corpus.exists():
        with corpus.open(encoding="utf-8") as lines:
            found += [json.loads(line)["body"] for line, _ in zip(lines, range(500), strict=False)]
    return found


def tokens(analyzer, text, **options):
    return [
        (t.text, getattr(t, "pos", None), getattr(t, "startchar", None), t.stopped)
        for t in analyzer(text, **options)
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"positions": True, "chars": True},
        {"positions": True, "removestops": False},
        {"mode": "query"},
        {"tokenize": False, "positions": True},
    ],
)
@pytest.mark.parametrize(
    ("ours", "whooshs"),
    [
        (WordAnalyzer(stoplist=None), StemmingAnalyzer(stoplist=None)),
        (WordAnalyzer(), StemmingAnalyzer()),
        (WordAnalyzer(stem=False, stoplist=None), StandardAnalyzer(stoplist=None)),
    ],
    ids=["every word", "stop words dropped", "unstemmed"],
)
def test_the_one_pass_analyzer_gives_whooshs_own_tokens(ours, whooshs, options):
    for text in texts():
        assert tokens(ours, text, **options) == tokens(whooshs, text, **options), text[:80]
