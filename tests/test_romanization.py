"""The folding key: spellings of one Korean name meet; different names stay apart."""

import pytest

from archive.names.romanization import alias_key, fold

SAME_NAME = [
    # Provinces: McCune-Reischauer, Revised Romanization, English, DPRK and ISO forms.
    [
        "North Hamgyong",
        "Hamgyŏng-bukto",
        "Hamgyong-bukto",
        "Hamgyeongbuk-do",
        "North Hamgyong Province",
        "Hamkyeongpukto",
    ],
    ["Ryanggang", "Yanggang", "Yangkang", "Yanggang-do", "Ryanggang Province", "Ryangkangto"],
    ["North Pyongan", "North Phyongan", "P'yŏngan-bukto", "Pyeonganbuk-do", "Phyeonganpukto"],
    ["Chagang", "Jagang", "Chagang-do", "Jakangto"],
    ["Kangwon", "Kangwŏn-do", "Gangwon-do", "Kangweonto"],
    ["South Hwanghae", "Hwanghae-namdo", "Hwanghainamto"],
    # Cities and counties.
    ["Pyongyang", "P'yŏngyang", "P’yŏngyang", "Phyongyang", "Phyeongyang"],
    ["Hoeryong", "Hoeryŏng", "Hoeryeong", "Hoiryong", "hoelyeong", "Hoeryong City", "Hoeryŏng-ŭp"],
    ["Sinuiju", "Sinŭiju", "Shinuiju"],
    ["Chongjin", "Ch’ŏngjin", "Cheongjin"],
    ["Rajin", "Najin"],
    ["Rason", "Rasŏn", "Raseon"],
    ["Pochon County", "Poch’ŏn-gun", "Bocheon-gun"],
    ["Kim Jong Suk County", "Kimjongsuk-gun"],
    ["Kimhyŏnggwŏn-gun", "Kim Hyong Gwon"],
    ["Hamhung", "Hamhŭng", "Hamheung"],
    ["Nampo", "Namp’o", "Nampho"],
]

# The provinces as the shared gazetteer (GeoNames, open-admin-data, ISO 3166-2)
# names them, unlinked across its sources: each line is one province.
GAZETTEER_PROVINCES = [
    ["Hamgyŏng-bukto", "North Hamgyong", "Hamkyeongpukto"],
    ["Hamgyŏng-namdo", "South Hamgyong", "Hamkyeongnamto"],
    ["P'yŏngan-bukto", "North Pyongan", "Phyeonganpukto"],
    ["South Pyongan", "Phyeongannamto"],
    ["Hwanghae-bukto", "North Hwanghae", "Hwanghaipukto"],
    ["Hwanghae-namdo", "South Hwanghae", "Hwanghainamto"],
    ["Kangwŏn-do", "Kangwon", "Kangweonto"],
    ["Yanggang-do", "Ryanggang", "Ryangkangto"],
    ["Chagang-do", "Jagang", "Jakangto"],
    ["Pyongyang", "Phyeongyang"],
    ["Rason", "Raseon"],
    ["Nampo", "Nampho"],
    ["Kaeseong"],
]

DIFFERENT_NAMES = [
    ("Hamhung", "Hamgyong"),
    ("North Hamgyong", "South Hamgyong"),
    ("North Pyongan", "South Pyongan"),
    ("Pyongan", "Pyongyang"),
    ("Chongjin", "Chongju"),
    ("Kangwon", "Kanggye"),
    ("Sinuiju", "Sinpo"),
    ("Hoeryong", "Hoeyang"),
    ("Kaesong", "Kaechon"),
    ("North Korea", "South Korea"),
    ("Nampo", "South Po"),
    ("Hyesan", "Haeju"),
]


@pytest.mark.parametrize("spellings", SAME_NAME, ids=lambda names: names[0])
def test_spellings_of_one_name_share_a_key(spellings):
    keys = {name: fold(name) for name in spellings}
    assert len(set(keys.values())) == 1, keys


def test_each_gazetteer_province_has_one_key_and_no_two_share_one():
    keys = []
    for names in GAZETTEER_PROVINCES:
        folded = {fold(name) for name in names}
        assert len(folded) == 1, names
        keys.append(folded.pop())
    assert len(set(keys)) == len(GAZETTEER_PROVINCES)


@pytest.mark.parametrize("first, second", DIFFERENT_NAMES)
def test_different_names_do_not_collide(first, second):
    assert fold(first) != fold(second)


def test_generic_words_alone_are_no_name():
    for words in ["Province", "North", "City", "county", "South Province", ""]:
        assert fold(words) == "", words


def test_korean_script_is_compared_as_written_without_spaces():
    assert fold("함경북도") == fold("함경 북도")
    assert fold("함경북도") != fold("함경남도")


def test_abbreviations_are_matched_as_written_not_folded():
    assert alias_key("SSD", "abbreviation") == "ssd"
    assert alias_key("S S D", "abbreviation") == "ssd"
    assert alias_key("SSD", "abbreviation") != alias_key("STT", "abbreviation")
