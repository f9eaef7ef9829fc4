"""Finding the terms a text names: the scan that suggests and adds tags.

``Mentions`` is the part of ``known.Vocabulary`` that reads texts; it uses the
look-up tables the vocabulary builds (``by_key``, ``first_words``,
``key_prefixes``, ``triggers``) and its ``lookup``.
"""

import bisect
import functools
import re

from django.conf import settings

from .. import facets
from ..models import Alias
from .romanization import GENERIC, alias_key, fold
from .types import (
    TEXT_WORD_RE,
    KnownTerm,
    Mention,
    TermName,
    abbreviation_word,
    fold_word,
    korean_bare_names,
    person_surname,
    spelled,
)


class Mentions:
    """How a vocabulary reads a text."""

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
                    while end - i > 1 and _same(
                        self._named(" ".join(words[i : end - 1]), kinds), candidates
                    ):
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
                e.person or len(spelled(typed, generic=False)) > len(spelled(n.text, False))
                for e, n in candidates
            )
            # "South Hamgyong Province": the word for a kind of place does not lengthen it.
            if split and _runs_on(
                lines, matches, end, places=not any(e.person for e, _ in candidates)
            ):
                i = end
                continue
            if _in_a_title(text, matches[i].start()):  # "vice-chairman of the NDC": a post
                candidates = [(e, n) for e, n in candidates if e.facet != "agency"]
            if _beside_a_feature(text, matches, i, end):  # "Lake Sijung" is not the county
                candidates = [(e, n) for e, n in candidates if e.facet != "region"]
            start, written = matches[i].start(), spelled(typed, generic=False)
            hows: dict[tuple[str, int], Mention] = {}  # one a term, however many names match
            for entry, name in candidates:
                how = "abbreviation" if name.kind == Alias.Kind.ABBREVIATION else "name"
                listed = spelled(name.text, generic=False) == written
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
            self.first_words.get(fold_word(word), 0),
            self.first_words.get(abbreviation_word(word), 0),
            self.first_words.get(person_surname(word), 0),
            # 보위부가, 김정은동지께서: a Korean name with what follows it in one word
            *(1 for bare in korean_bare_names(word) if self.first_words.get(fold_word(bare))),
            *(1 for bare in korean_bare_names(word) if self.first_words.get(person_surname(bare))),
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
            if (
                any(key in self.by_key for key in keys)
                or (span.endswith("s") and any(k in self.by_key for k in _span_keys(span[:-1])))
                or (end == i + 1 and self._bare_korean_name(span))
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

    def _bare_korean_name(self, word: str) -> bool:
        """Whether a written Korean word is a name with what follows it (보위부가)."""
        return any(
            key in self.by_key for bare in korean_bare_names(word) for key in _span_keys(bare)
        )

    def _triggers(self, words, matches, i: int, found: list) -> int:
        """A topic's trigger phrase starting at word ``i``: adds its mention and returns
        the word after it (or after word ``i``, when none is there)."""
        lowered = [w.lower() for w in words[i : i + self.longest_trigger]]
        for phrase, entry in self.triggers.get(lowered[0], ()):
            size = len(phrase)
            run = lowered[:size]
            if len(run) == size and (
                run == list(phrase)
                or (run[:-1] == list(phrase[:-1]) and run[-1] == phrase[-1] + "s")
            ):
                found.append(
                    Mention(entry, " ".join(words[i : i + size]), "trigger", matches[i].start())
                )
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
        written = spelled(typed, generic=False)
        exact = {
            (e.facet, e.pk)
            for e, n in candidates
            if not n.ambiguous and spelled(n.text, generic=False) == written
        }
        return [(e, n) for e, n in candidates if not exact or (e.facet, e.pk) in exact]


@functools.lru_cache(maxsize=200_000)
def _span_keys(span: str) -> tuple[str, str, str]:
    """A run of words as each kind of name is looked up: folded, as a person's name, as
    an abbreviation."""
    return (
        fold(span),
        alias_key(span, person=True),
        alias_key(span, Alias.Kind.ABBREVIATION),
    )


def _same(first, second) -> bool:
    return {(e.facet, e.pk) for e, _ in first} == {(e.facet, e.pk) for e, _ in second}


# Capitalised words that may follow a name in running text without lengthening it.
NOT_NAME_WORDS = {
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
    *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    "i",
}


# "… chairman of the", "commanding officers of the": a body named in someone's post.
TITLE_BEFORE_RE = re.compile(
    r"(?i)\b(?:chair(?:man|woman|person)?|member|director|secretary|commander(?:ship)?|"
    r"minister|premier|chief|head|president|officers?|deputy|deputies|delegates?)"
    r"s? of (?:the )?$"
)


# Natural features named after a place are not the place: "Lake Sijung", "Tumen River".
FEATURE_BEFORE = {"lake", "mt", "mount", "mountain", "cape"}
FEATURE_AFTER = {
    "river",
    "lake",
    "mountain",
    "mountains",
    "bay",
    "island",
    "islet",
    "falls",
    "pass",
    "strait",
    "stream",
    "valley",
}


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


def _runs_on(lines: _Lines, matches: list, end: int, places: bool = False) -> bool:
    """Whether the name ending before word ``end`` runs on into another capitalised
    word of the same name, outside a line in title case (a headline). A place's name
    (``places``) followed by a kind of place ("Province", "County") does not."""
    if end >= len(matches):
        return False
    following = matches[end]
    gap = lines.text[matches[end - 1].end() : following.start()]
    word = following.group()
    if gap not in (" ", "-") or not word[0].isupper() or word.lower() in NOT_NAME_WORDS:
        return False
    if places and word.lower() in GENERIC:
        return False
    return lines.is_running_text(following.start())
