"""Tag suggestions: what a report's text names, as an editor would want it suggested."""

from pathlib import Path

import pytest

from archive.editing import evaluation, tagging
from archive.models import Topic

from .factories import make_report

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def suggested(body: str, headline: str = "Report", topics: bool = False) -> set[str]:
    report = make_report(headline, body=body)
    return {
        s.term.slug
        for s in tagging.new_suggestions(report, set())
        if topics or s.term_type.model_class() is not Topic
    }


def test_a_person_under_any_spelling_is_suggested(vocabularies):
    assert "choe-ryong-hae" in suggested("Choi Ryong-hae gave a speech in the capital.")
    assert "choe-ryong-hae" in suggested("Ch'oe Ryong-hae spoke.")


def test_a_bare_surname_names_nobody(vocabularies):
    assert suggested("Kim said that Choe and Pak had left. Ri agreed with Jo.") == set()


def test_a_name_running_on_into_a_longer_name_is_not_the_person(vocabularies):
    # "Kim Song" is a person; "Kim Song Min" is someone else.
    assert "kim-song" not in suggested("At the meeting, Kim Song Min, a representative, spoke.")
    assert "kim-il-sung" not in suggested("A gala took place at Kim Il Sung Square.")
    assert "kim-il-sung" not in suggested("A delegation of the Kim Il Sung Socialist Youth League.")
    # A weekday after the name, or a headline in title case, does not lengthen it.
    assert "kim-jong-un" in suggested("The dear respected Kim Jong Un Thursday received a letter.")
    assert "kim-jong-un" in suggested("A farm was visited.", headline="Kim Jong Un Inspects Farm")


def test_a_place_written_in_syllables_inside_a_name_is_not_the_place(vocabularies):
    found = suggested("Among them was Jong Ju Yong, a businessman from the south.")
    assert "jongju" not in found
    assert "jongju" in suggested("Floods hit Jongju last week.")


def test_a_province_named_with_its_kind_in_running_text_is_the_province(vocabularies):
    # "South Hamgyong" has a one-word listed spelling ("Hamgyeongnam-do"), so the
    # two-word form was once read as syllables running on into "Province".
    sentence = "The people of South Hamgyong Province represent the spirit of the times."
    assert "south-hamgyong" in suggested(sentence)
    assert "north-hamgyong" in suggested("Floods in North Hamgyong Province hit the harvest.")
    assert "jongju" not in suggested("Among them was Jong Ju Yong, a businessman.")


def test_a_body_named_only_in_someones_post_is_not_suggested(vocabularies):
    post = "Kim Jong Un, vice-chairman of the National Defence Commission, visited a farm."
    assert "national-defence-commission" not in suggested(post)
    acting = "The National Defence Commission issued a statement."
    assert "national-defence-commission" in suggested(acting)


def test_a_dateline_names_where_a_story_was_filed_not_what_it_is_about(vocabularies):
    body = "Pyongyang, August 15 (KCNA) -- Farmers in Hyesan brought in the harvest."
    assert suggested(body) == {"hyesan", "ryanggang"}
    assert "pyongyang" in suggested("Farmers in Pyongyang brought in the harvest.")


def test_a_name_spelled_as_written_beats_one_that_only_folds_alike(vocabularies):
    # "Kangwon Province" is the North's; "Gangwon" the South's, and they fold alike.
    assert suggested("Floods in Kangwon Province.") == {"kangwon"}
    assert suggested("Floods in Gangwon Province, South Korea.") >= {"gangwon"}


def test_a_country_named_once_in_passing_is_not_suggested(vocabularies):
    lead = "Traders were caught smuggling phones from China."
    passing = "Arrests in Hyesan.\n\nPolice are busy.\n\nPhones come from China."
    twice = "Arrests in Hyesan.\n\nPhones come from China.\n\nChina is near."
    assert "china" in suggested(lead)
    assert "china" not in suggested(passing)
    assert "china" in suggested(twice)


def test_suggestions_on_the_hand_checked_kcna_sample(vocabularies):
    """60 KCNA articles tagged by hand (tests/data/kcna_hand_tags.json); the figures are
    those of ``suggest_tags --evaluate --hand-tags``, kept from falling."""
    cases = evaluation.hand_tagged_cases(
        DATA / "kcna_hand_tags.json", DATA / "kcna_hand_tagged.jsonl"
    )
    assert len(cases) == 60
    result = evaluation.evaluate(cases, ["region", "agency", "person"])
    assert result.tagged == 123
    assert result.recall >= 0.88, result.misses
    assert result.precision >= 0.63, result.extras
    assert result.by_facet["region"].precision >= 0.84
    assert result.by_facet["person"].recall == 1.0
    # The automatic rule: a place named as listed, in the headline or lead, or twice.
    assert result.by_rule["place"].precision >= 0.95, result.by_rule["place"].extras


@pytest.mark.parametrize(
    "slug, words, wrong, right",
    [
        (
            "tongsin-county",
            "Minjok Thongsin",
            "Minjok Thongsin reported it.",
            "Floods hit Tongsin County.",
        ),
        (
            "ryongchon-county",
            "… Farm in …",
            "The Ryongchon Farm in Hwangju County did well.",
            "Floods hit Ryongchon County.",
        ),
    ],
)
def test_words_editors_marked_as_not_naming_a_term_suggest_nothing(
    vocabularies, slug, words, wrong, right
):
    from django.contrib.contenttypes.models import ContentType

    from archive.models import Region, WrongName

    place = Region.objects.get(slug=slug)
    assert slug in suggested(wrong)
    WrongName.objects.create(
        term_type=ContentType.objects.get_for_model(Region), term_id=place.pk, pattern=words
    )
    assert slug not in suggested(wrong)
    assert slug in suggested(right)
