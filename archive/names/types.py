"""The shapes of the names a vocabulary knows, and how their words are compared.

A ``KnownTerm`` is one term with all its names (``TermName``); a search widened
to them is an ``Expansion``, with a ``Meaning`` for words that name several
terms; a term named in a text is a ``Mention``, one found by a box a
``FoundTerm``. The word helpers below compare names as the index sees them.
"""

import functools
import re
from dataclasses import dataclass, field

from ..models import Alias
from ..search_backend.korean import forms
from .romanization import GENERIC, HANGUL_RE, alias_key, fold, korean_key, plain

MAX_NAME_WORDS = 16  # "Ministry of Land and Maritime Transportation of the DPRK" in full: 14
MAX_EXPANSION = 24  # names searched for one term, at most
PHRASE_RE = re.compile(r'"([^"]*)"')
# A plain word of a query: letters, digits, apostrophes and inner hyphens.
QUERY_WORD_RE = re.compile(r"^[^\W_](?:[\w'’\-]*[^\W_])?['’]?$")  # "Workers'" too
TEXT_WORD_RE = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
CANONICAL = "canonical"


@dataclass(frozen=True)
class TermName:
    text: str
    kind: str  # an Alias.Kind, or CANONICAL for the term's own name
    ambiguous: bool = False
    used_from: int | None = None
    used_until: int | None = None


@dataclass
class KnownTerm:
    """One term with all its names."""

    facet: str
    pk: int
    slug: str
    name: str
    parent_id: int | None
    kind: str  # a region's kind; "" for other terms
    names: list[TermName] = field(default_factory=list)
    former_slugs: tuple[str, ...] = ()  # addresses that redirect to it
    triggers: list[str] = field(default_factory=list)  # words that suggest it; not names
    born: str = ""  # a person's, as known
    years: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    stops: tuple[str, ...] = ()  # words in which its name does not name it (``WrongName``)

    @property
    def person(self) -> bool:
        return self.facet == "person"

    def key(self, name: "TermName") -> str:
        return alias_key(name.text, name.kind, person=self.person)

    def in_use(self, name: str) -> tuple[int | None, int | None] | None:
        """The years a name was this term's (a former name's, or the current name's
        after a renaming), or None when not known."""
        return self.years.get(name)

    @functools.cached_property
    def searchable(self) -> list[str]:
        """The names a search is widened with: the unambiguous ones, shortest form first."""
        names = [n.text for n in self.names if not n.ambiguous and '"' not in n.text]
        return without_redundant(names)[:MAX_EXPANSION]


@dataclass
class Meaning:
    """Words that name more than one term, and what was done about it.

    ``shared``: the name is also another term's across the border ("Gangwon":
    Kangwon Province in the North, Gangwon Province in the South), so only the
    words themselves were searched and the reader may choose a meaning.
    Otherwise the search was widened to every term named ("Hamgyong": North and
    South Hamgyong; two people called Kim Yong Chol).

    ``chosen``: the meanings the reader picked (``means``); only their names
    were searched, and reports tagged with another meaning and not with a
    chosen one are set aside (``set_aside``).
    """

    typed: str
    terms: list[KnownTerm]
    shared: bool
    chosen: list[KnownTerm] = field(default_factory=list)

    def set_aside(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        """facet -> (slugs of the meanings not chosen, slugs of those chosen)."""
        if not self.chosen:
            return {}
        chosen = {(e.facet, e.pk) for e in self.chosen}
        found: dict[str, tuple[list[str], list[str]]] = {}
        for entry in self.terms:
            others, kept = found.setdefault(entry.facet, ([], []))
            (kept if (entry.facet, entry.pk) in chosen else others).append(entry.slug)
        return {facet: (tuple(o), tuple(k)) for facet, (o, k) in found.items() if o}


@dataclass
class Expansion:
    text: str  # the query to run
    also_searched: list[str]  # names added to what the reader typed
    terms: list[KnownTerm]
    meanings: list[Meaning] = field(default_factory=list)
    # With "as named at the time": name -> (first year, last year) it may match reports of.
    dated: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    renamed: bool = False  # a term named was renamed: "as named at the time" applies


@dataclass(frozen=True)
class Mention:
    """A term named in a text: the words as written, how they name it ("name",
    "abbreviation", "inside": a place within it, "trigger": a topic's phrase), where
    (a character offset), and whether the words are a listed name as spelled (less
    case, accents and words such as "Province"), not only one that folds alike."""

    entry: KnownTerm
    words: str
    how: str
    start: int
    as_listed: bool = True


@dataclass
class FoundTerm:
    entry: KnownTerm
    name: TermName | None  # the alias matched; None when the term's own name did


@functools.lru_cache(maxsize=50_000)
def fold_word(word: str) -> str:
    return fold(word)


@functools.lru_cache(maxsize=50_000)
def abbreviation_word(word: str) -> str:
    return alias_key(word, Alias.Kind.ABBREVIATION)


@functools.lru_cache(maxsize=50_000)
def person_surname(word: str) -> str:
    """How a person's first word is looked up when scanning text ("person:" alone for a
    word no name starts with: Hanja, a lone mark)."""
    key = alias_key(f"{word} x", person=True) if word else ""
    return "person:" + (key.split(":")[1] if key.count(":") else "")


def name_words(name: str) -> tuple[str, ...]:
    """The words of a name as the index sees them, less case (accents count)."""
    return tuple(re.findall(r"[^\W_]+", name.casefold()))


@functools.lru_cache(maxsize=4096)  # asked at every mention, mostly of a few names
def spelled(name: str, generic: bool = True) -> tuple[str, ...]:
    """The words of a name, less case and accents: "Kim Jong-suk" → ("kim", "jong", "suk");
    without ``generic``, less the words for a kind of place after it ("province")."""
    words = re.findall(r"[^\W_]+", plain(name))
    while not generic and len(words) > 1 and words[-1] in GENERIC:
        words.pop()
    return tuple(words)


def without_redundant(names: list[str]) -> list[str]:
    """Drop names another name already finds: repeats, and ones containing a shorter name.

    A phrase search for "North Hamgyong" finds every report that says
    "North Hamgyong Province", so the longer name adds nothing but cost.
    """
    kept: list[tuple[str, tuple[str, ...]]] = []
    for name in sorted(dict.fromkeys(names), key=lambda n: len(name_words(n))):
        words = name_words(name)
        if not words or any(_contains(words, shorter) for _, shorter in kept):
            continue
        kept.append((name, words))
    order = {name: i for i, name in enumerate(names)}
    return sorted((name for name, _ in kept), key=order.__getitem__)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))


WORDS_OF_A_WILDCARD = 4  # what "…" stands for in a wrong reading's words


@functools.lru_cache(maxsize=1024)
def stop_pattern(words: str) -> re.Pattern:
    """A wrong reading's words as a pattern: case and spacing as they come, "…" (or
    "...") for one to four words."""
    word = r"[^\W_][\w'’.-]*"
    wildcard = rf"{word}(?:\W+{word}){{0,{WORDS_OF_A_WILDCARD - 1}}}"
    pieces = []
    for token in re.split(r"(…|\.\.\.)", words):
        if token in ("…", "..."):
            pieces.append(wildcard)
        elif token.split():
            pieces.append(r"\b" + r"\s+".join(map(re.escape, token.split())) + r"\b")
    return re.compile(r"\W+".join(pieces), re.IGNORECASE)


def korean_bare_names(word: str) -> list[str]:
    """What a written Korean word may name without its particles and endings: its forms
    together, then its first form (보위부가 → 보위부; 김정은동지께서 → 김정은); [] for
    anything else, or a word that is already bare."""
    if not HANGUL_RE.search(word) or len(word.split()) != 1:
        return []
    found = forms(word.strip())
    names = ["".join(found), found[0]] if found else []
    own = korean_key(word)
    return [name for name in dict.fromkeys(names) if korean_key(name) != own]
