"""Widening one query to every name of the terms it names (``Vocabulary.expand``)."""

import re
from typing import TYPE_CHECKING

from .types import (
    OPERATORS,
    QUERY_WORD_RE,
    KnownTerm,
    Meaning,
    name_words,
    without_redundant,
)

if TYPE_CHECKING:
    from .known import Vocabulary


class Expanding:
    """One query's expansion: what was added and which terms were named."""

    def __init__(self, vocabulary: "Vocabulary", visible, without=(), means=(), at_the_time=False):
        self.vocabulary, self.visible = vocabulary, visible
        self.without = {name_words(name) for name in without}
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
            names += [n for n in entry.searchable if name_words(n) not in self.without]
            self.renamed = self.renamed or bool(entry.years)
        names = without_redundant(names)
        for name in names:
            if name_words(name) != name_words(typed):
                self.added[name] = None
        if self.at_the_time:
            for entry in entries:
                for name in names:
                    if name_words(name) == name_words(typed):
                        continue  # the reader's own words are searched in every year
                    years = entry.in_use(_matching(name, entry.years))
                    if years is not None:
                        self.dated[name] = years
        return names


def _matching(name: str, years: dict) -> str:
    """The key of ``years`` that is this name (compared as words, less case)."""
    words = name_words(name)
    return next((key for key in years if name_words(key) == words), name)
