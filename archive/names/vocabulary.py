"""Every name of every term, in memory: alias-aware search, facet lookup, tag suggestions.

Every term of a vocabulary with other names (``archive.facets.ALIASED``) is
known by its name, its abbreviation and its aliases. ``current()`` returns
them as a ``Vocabulary``, re-read whenever an editor changes a term or an
alias (``VocabularyState`` holds the version), so new aliases work at once in
every process without touching the search index: searches are widened at
query time.
"""

import bisect
import functools
import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import facets
from ..common import trees
from ..common.distance import deletions, distance
from ..models import Alias, Region, VocabularyState
from .romanization import GENERIC, alias_key, fold, plain

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
        return _without_redundant(names)[:MAX_EXPANSION]


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


class Vocabulary:
    def __init__(self, entries: list[KnownTerm], labels: dict | None = None):
        self.entries = {(e.facet, e.pk): e for e in entries}
        # Facet -> slug -> (name, parent's slug): what facet counts are shown with.
        self.labels: dict[str, dict[str, tuple[str, str | None]]] = labels or {}
        self.parents = {("region", e.parent_id) for e in entries if e.facet == "region"}
        self.by_key: dict[str, list[tuple[KnownTerm, TermName]]] = {}
        # What a name's first word can look like, so that a scan tries spans only
        # where a name may begin, and no longer than a name beginning so may run
        # (its words, and two more: "Province", a syllable written apart).
        self.first_words: dict[str, int] = {}
        # Lookups already made: a corpus names the same few hundred things over again.
        self._looked_up: dict[tuple, list] = {}
        # Words of texts -> how long a name beginning with them may run (0: none begins so).
        self._limits: dict[str, int] = {}
        # Every beginning of every key ("" included): a run of words whose keys begin
        # none can grow into no name.
        self.key_prefixes: set[str] = {""}
        self.longest = 1
        # One-word names by their folded key less each letter: for “did you mean”.
        self.near_keys: dict[str, list[tuple[str, KnownTerm]]] = {}
        # A name less its direction ("hamkyong" of North and South Hamgyong): what a
        # reader who types only that means.
        self.partial_keys: dict[str, dict[tuple[str, int], KnownTerm]] = {}
        # Topics' trigger phrases as lower-case words, by first word, longest first.
        self.triggers: dict[str, list[tuple[tuple[str, ...], KnownTerm]]] = {}
        self.longest_trigger = 1
        for entry in entries:
            phrases = [entry.name, *entry.triggers] if entry.facet == "topic" else entry.triggers
            for trigger in phrases:
                phrase = tuple(w.lower() for w in TEXT_WORD_RE.findall(trigger))
                if phrase:
                    self.triggers.setdefault(phrase[0], []).append((phrase, entry))
                    self.longest_trigger = max(self.longest_trigger, len(phrase))
            for name in entry.names:
                key = entry.key(name)
                if "/" in key and not name.ambiguous:
                    base = key.split("/")[0]
                    self.partial_keys.setdefault(base, {})[(entry.facet, entry.pk)] = entry
                if key:
                    self.by_key.setdefault(key, []).append((entry, name))
                    base = key.split("/")[0]
                    self.key_prefixes.update(base[:n] for n in range(len(base) + 1))
                    words = TEXT_WORD_RE.findall(name.text) or [name.text]
                    span = min(len(words) + 2, MAX_NAME_WORDS)
                    firsts = [_fold_word(words[0]), _abbreviation_word(words[0])]
                    if entry.person:
                        firsts.append(_person_surname(words[0]))
                    for first in firsts:
                        self.first_words[first] = max(self.first_words.get(first, 0), span)
                    self.longest = max(self.longest, min(len(words), MAX_NAME_WORDS))
                    if _near_eligible(name, key):
                        for variant in deletions(key):
                            self.near_keys.setdefault(variant, []).append((key, entry))

        for found in self.triggers.values():
            found.sort(key=lambda item: -len(item[0]))

    def lookup(
        self, words: str, include_ambiguous: bool = False
    ) -> list[tuple[KnownTerm, TermName]]:
        """Terms one of whose names is these words (folded), each with the name matched.

        A term is left out when the words are, as written, a name of it
        marked ambiguous: "Gangwon" is also South Korea's province, and
        "Kim Jong Suk" a person before it is a county.
        """
        known = self._looked_up.get((words, include_ambiguous))
        if known is None:
            if len(self._looked_up) > 200_000:
                self._looked_up.clear()
            known = self._looked_up[(words, include_ambiguous)] = self._lookup(
                words, include_ambiguous
            )
        return known

    def _lookup(self, words: str, include_ambiguous: bool) -> list[tuple[KnownTerm, TermName]]:
        abbreviation = alias_key(words, Alias.Kind.ABBREVIATION)
        candidates = (
            [
                (entry, name)
                for entry, name in self.by_key.get(fold(words), ())
                if name.kind != Alias.Kind.ABBREVIATION and not entry.person
            ]
            + [
                (entry, name)
                for entry, name in self.by_key.get(alias_key(words, person=True), ())
                if entry.person
            ]
            + [
                (entry, name)
                for entry, name in self.by_key.get(abbreviation, ())
                if name.kind == Alias.Kind.ABBREVIATION
            ]
        )
        if include_ambiguous:
            return candidates
        written = _spelled(words)  # "Kim Jong-suk" is written as "Kim Jong Suk" is

        def doubtful(name: TermName) -> bool:
            # "SPA" in capitals is the Supreme People's Assembly; "spa" is not.
            return name.ambiguous and not (
                name.kind == Alias.Kind.ABBREVIATION and words.strip() == name.text
            )

        unsure = {
            (e.facet, e.pk) for e, n in candidates if doubtful(n) and _spelled(n.text) == written
        }
        return [(e, n) for e, n in candidates if not doubtful(n) and (e.facet, e.pk) not in unsure]

    # -- search ------------------------------------------------------------

    def expand(
        self,
        text: str,
        visible=None,
        without: tuple[str, ...] = (),
        means: tuple[str, ...] = (),
        at_the_time: bool = False,
    ) -> Expansion:
        """Widen a query: each run of words that names a term becomes all its names.

        ``bowibu arrests`` becomes ``("bowibu" OR "Ministry of State Security"
        OR …) arrests``. Inside a quoted phrase, the first name found is
        replaced by each of the others in turn. Operators, fields, boosts and
        wildcards are left as they are, and so is the spacing. Only terms
        ``visible(entry)`` allows, when given, are named (see
        ``archive.search.running.VisibleTerms``).

        The reader decides: names in ``without`` are not added; ``means``
        ("region:kangwon") picks the meaning of a name two terms share;
        ``at_the_time`` searches each name of a renamed body only in reports
        of the years it was in use (``Expansion.dated``).
        """
        state = _Expanding(self, visible, without, means, at_the_time)
        pieces, position = [], 0
        for match in PHRASE_RE.finditer(text):
            pieces.append(state.words(text[position : match.start()]))
            attached = (match.start() > 0 and not text[match.start() - 1].isspace()) or (
                match.end() < len(text) and not text[match.end()].isspace()
            )
            # A phrase with a field before it or a boost or slop after it is left alone.
            pieces.append(match.group(0) if attached else state.phrase(match.group(1)))
            position = match.end()
        pieces.append(state.words(text[position:]))
        return Expansion(
            "".join(pieces),
            list(state.added),
            list(state.terms.values()),
            meanings=state.meanings,
            dated=state.dated,
            renamed=state.renamed,
        )

    def longest_name(self, words: list[str], start: int, visible=None, means=()):
        """The longest run of words from ``start`` that names terms, or None.

        Returns ``(end, terms, meaning)``: the terms to widen to (none when
        the name is shared across the border and no meaning was chosen), and
        a ``Meaning`` when the words name more than one term.
        """

        def shown(found):
            found = [e for e, _ in found if visible is None or visible(e)]
            return list({(e.facet, e.pk): e for e in found}.values())

        for end in range(min(len(words), start + self.longest), start, -1):
            typed = " ".join(words[start:end])
            every = shown(self.lookup(typed, include_ambiguous=True))
            if not every:
                partial = [e for e in self.partial(typed) if visible is None or visible(e)]
                chosen = [e for e in partial if f"{e.facet}:{e.slug}" in means]
                if chosen and len(partial) > 1:
                    return end, chosen, Meaning(typed, partial, False, chosen)
                if partial:
                    meaning = Meaning(typed, partial, shared=False) if len(partial) > 1 else None
                    return end, partial, meaning
                continue
            clear = shown(self.lookup(typed))
            chosen = [e for e in every if f"{e.facet}:{e.slug}" in means]
            if chosen and len(every) > 1:
                return end, chosen, Meaning(typed, every, len(clear) < len(every), chosen)
            if len(every) > 1 and len(clear) < len(every):
                return end, [], Meaning(typed, every, shared=True)
            if clear:
                return end, clear, Meaning(typed, clear, shared=False) if len(clear) > 1 else None
        return None

    def describe(self, entry: KnownTerm) -> str:
        """A term told apart from its namesakes: “Kangwon (province, North Korea)”,
        “Kim Yong Chol (born 1962-02-18)”."""
        if entry.facet == "person":
            return (
                str(_("%(name)s (born %(born)s)") % {"name": entry.name, "born": entry.born})
                if entry.born
                else entry.name
            )
        larger = [e.name for e in self.ancestors(entry)]
        if entry.facet == "region":
            kind = Region.Kind(entry.kind).label if entry.kind else ""
            context = ", ".join(filter(None, [str(kind).lower(), larger[-1] if larger else ""]))
            return f"{entry.name} ({context})" if context else entry.name
        return f"{entry.name} ({larger[0]})" if larger else entry.name

    def partial(self, words: str) -> list[KnownTerm]:
        """Terms that these words name less a direction: "Hamgyong" for North and South."""
        key = fold(words)
        if not key or "/" in key:
            return []
        return list(self.partial_keys.get(key, {}).values())

    def near(self, word: str, visible=None) -> list[str]:
        """Names of terms one or two letters from a misspelt word (folded), nearest first.

        “Sinuju” gives Sinuiju. Only one-word names that mean one thing; only
        terms ``visible(entry)`` allows.
        """
        key = fold(word)
        if not key or "/" in key:
            return []
        limit = 1 if len(key) <= 5 else 2
        found: dict[tuple[str, int], tuple[int, KnownTerm]] = {}
        for variant in deletions(key):
            for name_key, entry in self.near_keys.get(variant, ()):
                d = distance(key, name_key, limit + 1)
                if d <= limit and (visible is None or visible(entry)):
                    previous = found.get((entry.facet, entry.pk))
                    if previous is None or d < previous[0]:
                        found[(entry.facet, entry.pk)] = (d, entry)
        return [e.name for d, e in sorted(found.values(), key=lambda f: (f[0], f[1].name))]

    # -- facets and filters ----------------------------------------------

    def find(self, facet: str, text: str) -> list[FoundTerm]:
        """Terms of a facet whose name or any alias contains the text, or folds to it."""
        wanted, key = plain(text).strip(), fold(text)
        if not wanted:
            return []
        found = {}
        for entry, name, written, folded in self._findable.get(facet, ()):
            if wanted in written or (key and folded == key):
                matched = None if name.kind == CANONICAL else name
                previous = found.get(entry.pk)
                if previous is None or (previous.name is not None and matched is None):
                    found[entry.pk] = FoundTerm(entry, matched)
        return sorted(found.values(), key=lambda m: (m.name is not None, m.entry.name))

    def resolve(self, facet: str, value: str, visible=None) -> KnownTerm | None:
        """The one term of a facet that a name, an alias or a former address denotes.

        Terms ``visible(entry)`` refuses, when given, are not found: their
        names say nothing.
        """

        def shown(entry) -> bool:
            return visible is None or visible(entry)

        found = self.lookup(value, include_ambiguous=True)
        matches = {e.pk: e for e, _ in found if e.facet == facet and shown(e)}
        if not matches:
            named = self._addresses.get((facet, value), ())
            matches = {e.pk: e for e in named if shown(e)}
        return next(iter(matches.values())) if len(matches) == 1 else None

    @functools.cached_property
    def _findable(self) -> dict[str, list[tuple[KnownTerm, TermName, str, str]]]:
        """Facet -> every name of its terms, with the forms ``find`` compares: the name
        plain, and folded. Made once a vocabulary: a box's search runs over all of them."""
        found: dict[str, list] = {}
        for entry in self.entries.values():
            found.setdefault(entry.facet, []).extend(
                (entry, name, plain(name.text), alias_key(name.text, name.kind))
                for name in entry.names
            )
        return found

    @functools.cached_property
    def _addresses(self) -> dict[tuple[str, str], list[KnownTerm]]:
        """(facet, address) -> the terms it may denote: their former addresses, and
        their names and aliases slugified ("north-hamkyung")."""
        found: dict[tuple[str, str], list[KnownTerm]] = {}
        for entry in self.entries.values():
            addresses = {*entry.former_slugs, *(slugify(n.text) for n in entry.names)}
            for address in addresses:
                found.setdefault((entry.facet, address), []).append(entry)
        return found

    # -- tagging -----------------------------------------------------------

    def scan(self, text: str, kinds=None) -> list[tuple[KnownTerm, str]]:
        """Terms the text names, each with the words that first named it, in order of
        appearance (see ``mentions``)."""
        found: dict[tuple[str, int], tuple[KnownTerm, str]] = {}
        for mention in self.mentions(text, kinds):
            found.setdefault(
                (mention.entry.facet, mention.entry.pk), (mention.entry, mention.words)
            )
        return list(found.values())

    def mentions(self, text: str, kinds=None) -> list["Mention"]:
        """Every mention of a term in the text, in order.

        Abbreviations count only in capitals ("MSS", not "mss"); a plural
        ("state security departments") counts as its singular. A place
        inside a province also names the province ("in Hyesan"). The
        archive's own country (``ARCHIVE_HOME_COUNTRY``) is not named: every
        report is about it. A person's name that runs on into another
        capitalised word in running text is part of a longer name ("Kim Song
        Min", "Kim Il Sung Square"), not the person; a body named in someone's
        post ("vice-chairman of the NDC") is not named. A topic is named by
        its trigger phrases ("border guards"), in any case.
        """
        kinds = kinds or {f.name for f in facets.ALIASED if f.suggested}
        matches = list(TEXT_WORD_RE.finditer(text))
        words = [m.group() for m in matches]
        found: list[Mention] = []
        topics = "topic" in kinds
        lines = _Lines(text)

        def past(i: int) -> int:
            """Where to go on from a word that begins no name: past a trigger phrase
            beginning there, or to the next word (most words begin no phrase)."""
            if topics and words[i].lower() in self.triggers:
                return self._triggers(words, matches, i, found)
            return i + 1

        i = 0
        while i < len(words):
            hit = None
            limit = self._limits.get(words[i])
            if limit is None:
                limit = self._limit(words[i])
            if not limit:
                i = past(i)
                continue
            for end in self._name_ends(words, i, limit):
                candidates = self._named(" ".join(words[i:end]), kinds)
                if candidates:
                    # "China to": the shortest run naming the same terms is the name.
                    while end - i > 1 and _same(self._named(" ".join(words[i:end - 1]), kinds),
                                                candidates):  # fmt: skip
                        end -= 1
                    hit = (end, " ".join(words[i:end]), candidates)
                    break
            if hit is None:
                i = past(i)
                continue
            end, typed, candidates = hit
            # A person's name, or a place's written in syllables ("Jong Ju" of "Jong Ju
            # Yong"), running on into another capitalised word is part of a longer name.
            split = any(
                e.person or len(_spelled(typed, generic=False)) > len(_spelled(n.text, False))
                for e, n in candidates
            )
            if split and _runs_on(lines, matches, end):
                i = end
                continue
            if _in_a_title(text, matches[i].start()):  # "vice-chairman of the NDC": a post
                candidates = [(e, n) for e, n in candidates if e.facet != "agency"]
            if _beside_a_feature(text, matches, i, end):  # "Lake Sijung" is not the county
                candidates = [(e, n) for e, n in candidates if e.facet != "region"]
            start, written = matches[i].start(), _spelled(typed, generic=False)
            hows: dict[tuple[str, int], Mention] = {}  # one a term, however many names match
            for entry, name in candidates:
                how = "abbreviation" if name.kind == Alias.Kind.ABBREVIATION else "name"
                listed = _spelled(name.text, generic=False) == written
                before = hows.get((entry.facet, entry.pk))
                rank = (how == "name", listed)
                if before is None or rank > (before.how == "name", before.as_listed):
                    hows[(entry.facet, entry.pk)] = Mention(entry, typed, how, start, listed)
            inside: dict[tuple[str, int], Mention] = {}
            for mention in hows.values():
                found.append(mention)
                for ancestor in self.provinces_of(mention.entry):
                    key = ("region", ancestor.pk)
                    if key not in hows:
                        within = f"in {mention.entry.name}"
                        inside.setdefault(
                            key, Mention(ancestor, within, "inside", start, mention.as_listed)
                        )
            found += inside.values()
            i = end
        return found

    def _limit(self, word: str) -> int:
        """How many words a name beginning with this word may run to (0: none begins so),
        worked out once a word: a scan asks it of every word of every text."""
        if len(self._limits) > 200_000:
            self._limits.clear()
        limit = self._limits[word] = max(
            self.first_words.get(_fold_word(word), 0),
            self.first_words.get(_abbreviation_word(word), 0),
            self.first_words.get(_person_surname(word), 0),
        )
        return limit

    def _name_ends(self, words: list[str], i: int, limit: int) -> list[int]:
        """Where runs of words from ``i`` end that are a name's key (folded, as a
        person's name or as an abbreviation), longest first. Runs are grown a word at
        a time and given up once no key begins so: most words begin no name."""
        ends = []
        for end in range(i + 1, min(len(words), i + limit) + 1):
            span = " ".join(words[i:end])
            keys = _span_keys(span)
            if any(key in self.by_key for key in keys) or (
                span.endswith("s") and any(key in self.by_key for key in _span_keys(span[:-1]))
            ):
                ends.append(end)
            folded, person, abbreviation = keys
            if (
                folded.split("/")[0] not in self.key_prefixes
                and person not in self.key_prefixes
                and abbreviation not in self.key_prefixes
            ):
                break
        return ends[::-1]

    def _triggers(self, words, matches, i: int, found: list) -> int:
        """A topic's trigger phrase starting at word ``i``: adds its mention and returns
        the word after it (or after word ``i``, when none is there)."""
        lowered = [w.lower() for w in words[i : i + self.longest_trigger]]
        for phrase, entry in self.triggers.get(lowered[0], ()):
            size = len(phrase)
            run = lowered[:size]
            if len(run) == size and (run == list(phrase) or (
                run[:-1] == list(phrase[:-1]) and run[-1] == phrase[-1] + "s"
            )):  # fmt: skip
                found.append(Mention(entry, " ".join(words[i : i + size]), "trigger",
                                     matches[i].start()))  # fmt: skip
                return i + size
        return i + 1

    def _named(self, typed: str, kinds) -> list[tuple[KnownTerm, TermName]]:
        key = ("named", typed, tuple(sorted(kinds)))
        known = self._looked_up.get(key)
        if known is None:
            known = self._looked_up[key] = self._named_uncached(typed, kinds)
        return known

    def _named_uncached(self, typed: str, kinds) -> list[tuple[KnownTerm, TermName]]:
        candidates = self.lookup(typed) or (self.lookup(typed[:-1]) if typed.endswith("s") else [])
        home = settings.ARCHIVE_HOME_COUNTRY
        candidates = [
            (e, n)
            for e, n in candidates
            if e.facet in kinds
            and e.facet != "topic"  # named by its trigger phrases only
            and (n.kind != Alias.Kind.ABBREVIATION or n.text in typed)
            and not (e.facet == "region" and e.slug == home)
        ]
        # A name spelled as written beats one that only folds alike: "Kangwon Province"
        # is the North's Kangwon, not the South's Gangwon.
        written = _spelled(typed, generic=False)
        exact = {
            (e.facet, e.pk)
            for e, n in candidates
            if not n.ambiguous and _spelled(n.text, generic=False) == written
        }
        return [(e, n) for e, n in candidates if not exact or (e.facet, e.pk) in exact]

    def ancestors(self, entry: KnownTerm) -> list[KnownTerm]:
        """The larger terms holding this one, nearest first."""
        return trees.ancestors(
            entry,
            lambda e: self.entries.get((e.facet, e.parent_id)),
            key=lambda e: (e.facet, e.pk),
        )

    def provinces_of(self, entry: KnownTerm) -> list[KnownTerm]:
        """The larger places holding a region, up to but not including its country."""
        if entry.facet != "region":
            return []
        return [e for e in self.ancestors(entry) if e.kind != Region.Kind.COUNTRY]


class _Expanding:
    """One query's expansion: what was added and which terms were named."""

    def __init__(self, vocabulary: Vocabulary, visible, without=(), means=(), at_the_time=False):
        self.vocabulary, self.visible = vocabulary, visible
        self.without = {_words(name) for name in without}
        self.means, self.at_the_time = set(means), at_the_time
        self.added: dict[str, None] = {}
        self.terms: dict[tuple[str, int], KnownTerm] = {}
        self.meanings: list[Meaning] = []
        self.dated: dict[str, tuple[int | None, int | None]] = {}
        self.renamed = False

    def span(self, words: list[str], start: int):
        found = self.vocabulary.longest_name(words, start, self.visible, self.means)
        meaning = found[2] if found is not None else None
        if meaning is not None and all(m.typed != meaning.typed for m in self.meanings):
            self.meanings.append(meaning)
        return found

    def words(self, text: str) -> str:
        """Runs of plain words are expanded; everything else, spacing included, is kept."""
        tokens = re.split(r"(\s+)", text)
        out, run = [], []  # run: plain words and the spaces between them
        for token in tokens:
            if (
                token
                and not token.isspace()
                and QUERY_WORD_RE.match(token)
                and (token not in OPERATORS)
            ) or (run and (not token or token.isspace())):
                run.append(token)
            else:
                out.append(self.run(run))
                run = []
                out.append(token)
        out.append(self.run(run))
        return "".join(out)

    def run(self, run: list[str]) -> str:
        trailing = ""
        while run and (not run[-1] or run[-1].isspace()):
            trailing = run.pop() + trailing
        words = [t for t in run if t and not t.isspace()]
        if not words:
            return "".join(run) + trailing
        out, i = [], 0
        while i < len(words):
            span = self.span(words, i)
            if span is None or not span[1]:  # no name, or one to choose: the words as typed
                end = span[0] if span else i + 1
                out += words[i:end]
                i = end
                continue
            end, entries, _ = span
            names = self.names_for(entries, " ".join(words[i:end]))
            out.append("(" + " OR ".join(f'"{n}"' for n in names) + ")")
            i = end
        return " ".join(out) + trailing

    def phrase(self, phrase: str) -> str:
        words = phrase.split()
        for i in range(len(words)):
            span = self.span(words, i)
            if span is None or not span[1]:
                continue
            end, entries, _ = span
            names = self.names_for(entries, " ".join(words[i:end]))
            variants = [" ".join([*words[:i], name, *words[end:]]) for name in names]
            return "(" + " OR ".join(f'"{v}"' for v in variants) + ")"
        return f'"{phrase}"'

    def names_for(self, entries: list[KnownTerm], typed: str) -> list[str]:
        names = [typed]
        for entry in entries:
            self.terms[(entry.facet, entry.pk)] = entry
            names += [n for n in entry.searchable if _words(n) not in self.without]
            self.renamed = self.renamed or bool(entry.years)
        names = _without_redundant(names)
        for name in names:
            if _words(name) != _words(typed):
                self.added[name] = None
        if self.at_the_time:
            for entry in entries:
                for name in names:
                    years = entry.in_use(_matching(name, entry.years))
                    if years is not None:
                        self.dated[name] = years
        return names


@functools.lru_cache(maxsize=200_000)
def _span_keys(span: str) -> tuple[str, str, str]:
    """A run of words as each kind of name is looked up: folded, as a person's name, as
    an abbreviation."""
    return (
        fold(span),
        alias_key(span, person=True),
        alias_key(span, Alias.Kind.ABBREVIATION),
    )


@functools.lru_cache(maxsize=50_000)
def _fold_word(word: str) -> str:
    return fold(word)


@functools.lru_cache(maxsize=50_000)
def _abbreviation_word(word: str) -> str:
    return alias_key(word, Alias.Kind.ABBREVIATION)


@functools.lru_cache(maxsize=50_000)
def _person_surname(word: str) -> str:
    """How a person's first word is looked up when scanning text."""
    return "person:" + (alias_key(f"{word} x", person=True).split(":")[1] if word else "")


def _same(first, second) -> bool:
    return {(e.facet, e.pk) for e, _ in first} == {(e.facet, e.pk) for e, _ in second}


# Capitalised words that may follow a name in running text without lengthening it.
NOT_NAME_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "i",
}  # fmt: skip


# "… chairman of the", "commanding officers of the": a body named in someone's post.
TITLE_BEFORE_RE = re.compile(
    r"(?i)\b(?:chair(?:man|woman|person)?|member|director|secretary|commander(?:ship)?|"
    r"minister|premier|chief|head|president|officers?|deputy|deputies|delegates?)"
    r"s? of (?:the )?$"
)


# Natural features named after a place are not the place: "Lake Sijung", "Tumen River".
FEATURE_BEFORE = {"lake", "mt", "mount", "mountain", "cape"}
FEATURE_AFTER = {"river", "lake", "mountain", "mountains", "bay", "island", "islet", "falls",
                 "pass", "strait", "stream", "valley"}  # fmt: skip


def _beside_a_feature(text: str, matches: list, start: int, end: int) -> bool:
    before = matches[start - 1].group().lower() if start > 0 else ""
    after = matches[end].group().lower() if end < len(matches) else ""
    return before in FEATURE_BEFORE or after in FEATURE_AFTER


def _in_a_title(text: str, start: int) -> bool:
    return bool(TITLE_BEFORE_RE.search(text[max(0, start - 40) : start]))


class _Lines:
    """Whether each line of a text is running text, worked out once a line: a scan asks
    it at every mention, and a body may be one line naming someone thousands of times."""

    def __init__(self, text: str):
        self.text = text
        self.ends = [m.start() for m in re.finditer("\n", text)]
        self.running: dict[int, bool] = {}

    def is_running_text(self, position: int) -> bool:
        """Not a line in title case (a headline): more than a tenth of its long words
        begin in lower case."""
        number = bisect.bisect_left(self.ends, position)
        if number not in self.running:
            start = self.ends[number - 1] + 1 if number else 0
            end = self.ends[number] if number < len(self.ends) else len(self.text)
            long_words = [w for w in TEXT_WORD_RE.findall(self.text, start, end) if len(w) > 3]
            lower = sum(not w[0].isupper() for w in long_words)
            self.running[number] = lower > 0.1 * len(long_words)
        return self.running[number]


def _runs_on(lines: _Lines, matches: list, end: int) -> bool:
    """Whether the name ending before word ``end`` runs on into another capitalised
    word of the same name, outside a line in title case (a headline)."""
    if end >= len(matches):
        return False
    following = matches[end]
    gap = lines.text[matches[end - 1].end() : following.start()]
    word = following.group()
    if gap not in (" ", "-") or not word[0].isupper() or word.lower() in NOT_NAME_WORDS:
        return False
    return lines.is_running_text(following.start())


def _matching(name: str, years: dict) -> str:
    """The key of ``years`` that is this name (compared as words, less case)."""
    words = _words(name)
    return next((key for key in years if _words(key) == words), name)


def _near_eligible(name: TermName, key: str) -> bool:
    """One-word, unambiguous, Latin names: what a misspelling can be near."""
    return (
        not name.ambiguous
        and name.kind not in (Alias.Kind.ABBREVIATION, Alias.Kind.KOREAN)
        and not key.startswith("person:")
        and "/" not in key
        and key.isalpha()
        and key.isascii()
        and len(TEXT_WORD_RE.findall(name.text)) == 1
    )


def _words(name: str) -> tuple[str, ...]:
    """The words of a name as the index sees them, less case (accents count)."""
    return tuple(re.findall(r"[^\W_]+", name.casefold()))


@functools.lru_cache(maxsize=4096)  # asked at every mention, mostly of a few names
def _spelled(name: str, generic: bool = True) -> tuple[str, ...]:
    """The words of a name, less case and accents: "Kim Jong-suk" → ("kim", "jong", "suk");
    without ``generic``, less the words for a kind of place after it ("province")."""
    words = re.findall(r"[^\W_]+", plain(name))
    while not generic and len(words) > 1 and words[-1] in GENERIC:
        words.pop()
    return tuple(words)


def _without_redundant(names: list[str]) -> list[str]:
    """Drop names another name already finds: repeats, and ones containing a shorter name.

    A phrase search for "North Hamgyong" finds every report that says
    "North Hamgyong Province", so the longer name adds nothing but cost.
    """
    kept: list[tuple[str, tuple[str, ...]]] = []
    for name in sorted(dict.fromkeys(names), key=lambda n: len(_words(n))):
        words = _words(name)
        if not words or any(_contains(words, shorter) for _, shorter in kept):
            continue
        kept.append((name, words))
    order = {name: i for i, name in enumerate(names)}
    return sorted((name for name, _ in kept), key=order.__getitem__)


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))


# --- The per-process copy -------------------------------------------------

_lock = threading.Lock()
_loaded: dict[str, object] = {"version": None, "vocabulary": None, "checked": 0.0}
# How long the stored version is trusted before it is read again: a search reads
# the vocabulary several times, and another process's change may wait this long.
# This process's own changes are seen at once.
RECHECK_SECONDS = 0.5


def current() -> Vocabulary:
    """The vocabulary as the database has it now (one small query when it may have changed)."""
    with _lock:
        known = _loaded["version"]
        fresh = time.monotonic() - _loaded["checked"] < RECHECK_SECONDS
        if known is not None and fresh and known[1] == VocabularyState.objects.changes_here():
            return _loaded["vocabulary"]
    version = VocabularyState.objects.version()
    with _lock:
        if _loaded["vocabulary"] is None or _loaded["version"] != version:
            _loaded["vocabulary"] = _load()
            _loaded["version"] = version
        _loaded["checked"] = time.monotonic()
        return _loaded["vocabulary"]


def _years_of_names(entry: KnownTerm) -> dict[str, tuple[int | None, int | None]]:
    """Names with the years they were the term's: former names as recorded, and the
    current name from the year the last former name went out of use."""
    years = {
        n.text: (n.used_from, n.used_until) for n in entry.names if n.used_from or n.used_until
    }
    ends = [until for _, until in years.values() if until]
    if ends:
        years[entry.name] = (max(ends), None)
    return years


def _load() -> Vocabulary:
    labels = {}
    for facet in facets.TERMS:
        fields = ["slug", "name", "parent__slug" if facet.tree else "slug"]
        rows = facet.model.objects.values_list(*fields)
        labels[facet.name] = {
            slug: (name, parent if facet.tree else None) for slug, name, parent in rows
        }
    entries = []
    for facet in facets.ALIASED:
        by_pk = {}
        for term in facet.model.objects.all():
            entry = KnownTerm(
                facet=facet.name,
                pk=term.pk,
                slug=term.slug,
                name=term.name,
                parent_id=getattr(term, "parent_id", None),
                kind=getattr(term, "kind", ""),
                names=[TermName(term.name, CANONICAL)],
                former_slugs=tuple(term.former_slug_list),
                born=getattr(term, "born", ""),
            )
            if getattr(term, "abbreviation", ""):
                entry.names.append(TermName(term.abbreviation, Alias.Kind.ABBREVIATION))
            by_pk[term.pk] = entry
        term_id = f"{facet.alias_model.term_field}_id"
        for alias in facet.alias_model.objects.all():
            entry = by_pk.get(getattr(alias, term_id))
            if entry is None:
                continue
            if alias.kind == Alias.Kind.TRIGGER:
                entry.triggers.append(alias.name)
                continue
            entry.names.append(
                TermName(alias.name, alias.kind, alias.ambiguous, alias.used_from, alias.used_until)
            )
        for entry in by_pk.values():
            entry.years = _years_of_names(entry)
        entries += by_pk.values()
    return Vocabulary(entries, labels)
