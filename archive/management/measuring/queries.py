"""What the benchmark and the soak search for: the benchmark's fixed query mix (and the
stock haystack way of running one of its queries), and the soak's searches."""

COMMON = [
    "korea",
    "people",
    "party",
    "army",
    "meeting",
    "workers",
    "economy",
    "leader",
    "country",
    "great",
]
RARE = ["Hyesan", "Rason", "Kaesong", "Hoeryong", "Sinuiju", "Chongjin", "Wonsan", "Kimchaek"]
PHRASES = [
    '"Workers\' Party"',
    '"national reunification"',
    '"Kim Jong Un"',
    '"United States"',
    '"South Korea"',
    '"supreme leader"',
    '"Korean People\'s Army"',
    '"mass games"',
]
# Other names of terms: each search is widened to all the term's names.
ALIASES = [
    "North Phyongan",
    "Hamgyŏng-bukto",
    "Yanggang",
    "South Hamkyung",
    "Phyongyang",
    "Bowibu",
    "State Security Department",
    "safety agents",
]
# Names the larger vocabulary widens: people under other spellings, a name less its
# direction, spellings no list holds, abbreviations, a long body and a renamed one.
WIDENED = [
    "Choi Ryong-hae",
    "Kim Yong Chol",
    "Hamgyong",
    "Ganggye",
    "Dancheon",
    "NDC",
    "Central Committee of the Workers' Party of Korea",
    "Ministry of Social Security",
]
# Runs of five to eight words, as a reader remembers a passage (from KCNA articles).
MULTI_WORD = [
    "the delegation was seen off at the airport",
    "laid a wreath before the statue",
    "expressed the hope that the friendly relations",
    "the meeting was attended by",
    "the anniversary of the founding of the",
    "a banquet was given in honor of",
    "called for bolstering the political and military",
    "on behalf of the people",
]
# Misspelt, or nothing like any word: zero hits and a "did you mean".
ZERO_HITS = [
    "Pyongyagn",
    "secruity agents",
    "Kanngye",
    "xyzzy",
    "Hamhyng",
    "minstry",
    "Sinuju",
    "reunificaton",
]


# Korean: a name in Korean script (widened to its romanized names), with a particle,
# and words of no name (read by the Korean analyser, found in no English report).
KOREAN = ["보위부", "김정은동지께서", "량강도에서", "조선로동당", "인민들의 생활"]


def query_mix() -> list[tuple[str, str, dict]]:
    """(type, text, filters): at least 40 queries, the same every run."""
    mix = [("common word", word, {}) for word in COMMON]
    mix += [("rare name", word, {}) for word in RARE]
    mix += [("phrase", phrase, {}) for phrase in PHRASES]
    mix += [("other name", name, {}) for name in ALIASES]
    mix += [("widened name", name, {}) for name in WIDENED]
    mix += [("multi-word", text, {}) for text in MULTI_WORD]
    mix += [("zero hits", text, {}) for text in ZERO_HITS]
    mix += [("korean", text, {}) for text in KOREAN]
    mix += [
        ("facet filter", "korea", {"region": ("ryanggang",)}),
        ("facet filter", "party", {"agency": ("ministry-of-state-security",)}),
        ("facet filter", "army", {"topic": ("border-control",)}),
        ("facet filter", "meeting", {"region": ("north-hamgyong",), "topic": ("corruption",)}),
        ("facet filter", "workers", {"region": ("hyesan", "hoeryong")}),
        ("facet filter", "leader", {"year": ("2012",)}),
        ("facet filter", "economy", {"region": ("ryanggang",), "agency": ("korean-peoples-army",)}),
        ("facet filter", "great", {"source": ("daily-nk",)}),
    ]
    mix += [
        ("browse", "", {}),
        ("browse", "", {"region": ("north-korea",)}),
        ("browse", "", {"topic": ("defections",)}),
        ("browse", "", {"region": ("ryanggang",), "agency": ("ministry-of-state-security",)}),
        ("browse", "", {"year": ("2024",)}),
        ("browse", "", {"agency": ("korean-peoples-army",), "topic": ("smuggling",)}),
    ]
    return mix


def search_params(text: str, filters: dict) -> dict:
    params = {"q": text} if text else {}
    params.update({name: list(values) for name, values in filters.items()})
    return params


FACET_FIELDS = {
    "region": "regions",
    "agency": "agencies",
    "topic": "topics",
    "source": "source",
    "year": "year",
    "month": "month",
}


def stock_search(text: str, filters: dict) -> None:
    """The usual haystack way: SearchQuerySet with facets and narrow(), first page."""
    from haystack.query import SearchQuerySet

    sqs = SearchQuerySet()
    sqs = sqs.auto_query(text) if text else sqs.all()
    for name in ("region", "agency", "topic", "source", "year"):
        sqs = sqs.facet(FACET_FIELDS[name])
    for name, values in filters.items():
        clause = " OR ".join(f'{FACET_FIELDS[name]}:"{value}"' for value in values)
        sqs = sqs.narrow(f"({clause})")
    sqs.facet_counts()
    list(sqs[:20])


# The soak's readers: its words, and the searches its clients pick from.
WORDS = ["korea", "party", "security", "border", "army", "workers", "meeting", "economy"]
SEARCHES = [{"q": w} for w in WORDS] + [
    {"q": "Bowibu"},
    {"q": '"Workers\' Party"'},
    {"q": "North Phyongan"},
    {"region": "ryanggang"},
    {"q": "korea", "region": "north-hamgyong", "sort": "newest"},
    {"year": "2012"},
    {"q": "army", "page": "2"},
]
