"""The vocabulary build (fixtures/build_vocabularies.py): Korean names romanized by
libraries, kept only when they agree with a spelling of the term, marked as derived."""

import json
from pathlib import Path

import pytest

from fixtures import build_vocabularies as build
from fixtures.curation import Alias
from fixtures.curation.korean import derived_person_names, derived_place_names, systems

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_a_korean_name_is_romanized_in_every_system():
    assert systems("함경북") == {
        "rr": "hamgyeongbuk",
        "mr": "hamgyŏngbuk",
        "mr plain": "hamgyongbuk",
        "dprk": "hamgyongbuk",
    }
    # The Revised Romanization of a place is of the South's spelling (양강, not 량강).
    assert systems("량강")["rr"] == "yanggang"
    assert systems("량강")["mr"] == "ryanggang"


def test_a_persons_name_keeps_their_surname_and_gets_the_press_form():
    names = {alias.name: alias for alias in derived_person_names("김여정", "Kim")}
    assert {"Kim Yeojeong", "Kim Yŏjŏng", "Kim Yojong", "Kim Yo-jong"} <= set(names)
    assert names["Kim Yo-jong"].kind == "press"
    assert names["Kim Yŏjŏng"].kind == "mr"
    assert all(alias.note.startswith("Derived from 김여정 by ") for alias in names.values())


def test_derived_names_are_kept_only_for_a_korean_name_that_agrees():
    aliases = [Alias("청진시", "korean"), Alias("남조선", "korean")]
    found = {alias.name for alias in build.derived_aliases("Chongjin", aliases)}
    assert {"Cheongjin", "Ch'ŏngjin"} <= found  # 청진 agrees with Chongjin
    assert not any(name.casefold().startswith("namjo") for name in found)


def test_a_curated_korean_name_that_disagrees_stops_the_build():
    wrong = [Alias("박철", "korean")]
    with pytest.raises(SystemExit, match="박철 romanizes as"):
        build.derived_aliases("Kim Yong Chol", wrong, person=True, checked=frozenset({"박철"}))


def test_a_name_written_syllable_by_syllable_agrees():
    # 랑림: MR writes Rangnim, the DPRK's English Rangrim; both are the county's.
    aliases = [Alias("랑림군", "korean")]
    build.derived_aliases("Rangrim County", aliases, checked=frozenset({"랑림군"}))
    assert "Rangnim" in {a.name for a in derived_place_names("랑림")}


@pytest.mark.parametrize("path", ["vocabularies.json", "people.json"])
def test_the_fixtures_mark_every_derived_name(path):
    objects = json.loads((FIXTURES / path).read_text(encoding="utf-8"))
    notes = [o["fields"] for o in objects if "note" in o["fields"]]
    derived = [fields for fields in notes if fields["note"].startswith("Derived from")]
    assert len(derived) > 100
    assert {fields["kind"] for fields in derived} <= {"rr", "mr", "dprk", "press"}
