"""The ``Vocabulary``: every name of every term, indexed for the three ways the
archive looks names up: widening a search (``expand``), facets and filters
(``find``, ``resolve``, ``describe``) and reading texts (``mentions``, from
``mentions.Mentions``). Built by ``vocabulary.current()``.
"""

import functools

from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..common import trees
from ..common.distance import deletions, distance
from ..models import Alias, Region
from .expansion import Expanding
from .mentions import Mentions
from .romanization import alias_key, fold, plain
from .types import (
    CANONICAL,
    MAX_NAME_WORDS,
    PHRASE_RE,
    TEXT_WORD_RE,
    Expansion,
    FoundTerm,
    KnownTerm,
    Meaning,
    TermName,
    abbreviation_word,
    fold_word,
    korean_bare_names,
    person_surname,
    spelled,
)


class Vocabulary(Mentions):
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
                    firsts = [fold_word(words[0]), abbreviation_word(words[0])]
                    if entry.person:
                        firsts.append(person_surname(words[0]))
                    for first in firsts:
                        self.first_words[first] = max(self.first_words.get(first, 0), span)
                    self.longest = max(self.longest, min(len(words), MAX_NAME_WORDS))
                    if _near_eligible(name, key):
                        for variant in deletions(key):
                            self.near_keys.setdefault(variant, []).append((key, entry))

        for found in self.triggers.values():
            found.sort(key=lambda item: -len(item[0]))

    @functools.cached_property
    def korean_names(self) -> dict[tuple[str, str], str]:
        """(facet, slug) -> the term's first Korean name, one that names it alone if it
        has one (강원도 is both Kangwon and the South's Gangwon: shown, never searched)."""
        found = {}
        for entry in self.entries.values():
            for name in sorted(entry.names, key=lambda n: n.ambiguous):
                if name.kind == "korean":
                    found.setdefault((entry.facet, entry.slug), name.text)
        return found

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

    def _lookup(
        self, words: str, include_ambiguous: bool, bare: bool = False
    ) -> list[tuple[KnownTerm, TermName]]:
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
        if not candidates and not bare:  # 보위부가 names what 보위부 names (one step only)
            for name in korean_bare_names(words):
                if found := self._lookup(name, include_ambiguous, bare=True):
                    return found
        if include_ambiguous:
            return candidates
        written = spelled(words)  # "Kim Jong-suk" is written as "Kim Jong Suk" is

        def doubtful(name: TermName) -> bool:
            # "SPA" in capitals is the Supreme People's Assembly; "spa" is not.
            return name.ambiguous and not (
                name.kind == Alias.Kind.ABBREVIATION and words.strip() == name.text
            )

        unsure = {
            (e.facet, e.pk) for e, n in candidates if doubtful(n) and spelled(n.text) == written
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
        ``archive.search.visibility.VisibleTerms``).

        The reader decides: names in ``without`` are not added; ``means``
        ("region:kangwon") picks the meaning of a name two terms share;
        ``at_the_time`` searches each other name of a renamed body only in
        reports of the years it was in use (``Expansion.dated``); the words
        the reader typed are searched in every year.
        """
        state = Expanding(self, visible, without, means, at_the_time)
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
