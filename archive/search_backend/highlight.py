"""Snippets: the best part of a report's text with the searched words in ``<mark>``.

Words are found as the index found them (Whoosh's tokenizer, lower case,
Porter stems: ``analysis.indexed_form``); a stop word is marked only inside
a phrase. Rather than analyse
every word of a report, one regular expression finds the words that start
like a searched word, and only those are stemmed and compared; a phrase is
followed from its first word. Only the first ``MAX_CHARACTERS`` of a text
are read, so a very long report costs no more than an ordinary one: a
snippet takes a fraction of a millisecond.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape

from .analysis import TOKEN_RE, indexed_form, is_stop_word

MAX_CHARACTERS = 20_000
WINDOW = 240  # characters a fragment spans
LEAD = 60  # characters shown before the first marked word of a fragment
FRAGMENTS = 2
PREFIX = 3  # letters a word and its stem share at the start (army → armi)


@dataclass
class _Token:
    start: int
    end: int
    form: str


def tokens(text: str) -> list[_Token]:
    """Every indexed word of ``text``, in order."""
    return [
        _Token(match.start(), match.end(), indexed_form(match.group(0)))
        for match in TOKEN_RE.finditer(text)
    ]


def highlight(text: str, terms: list) -> str:
    """HTML-safe: up to two fragments of ``text`` with ``terms`` marked, joined by " … ".

    ``terms`` holds indexed words and tuples of them (phrases, marked only where
    their words stand together). "" when nothing in the text matches.
    """
    text = text[:MAX_CHARACTERS]
    marked = _marks(text, terms)
    if not marked:
        return ""
    return " … ".join(_render(text, marked, window) for window in _best_windows(text, marked))


def mark(text: str, terms: list) -> str:
    """HTML-safe: the whole of ``text`` (a paragraph) with ``terms`` marked wherever they are."""
    marked = _marks(text, terms) if terms else []
    return _render(text, marked, (0, len(text))) if marked else escape(text)


def _marks(text: str, terms: list) -> list[_Token]:
    """The places of ``terms`` in ``text``, in order, none inside another."""
    words = {t for t in terms if isinstance(t, str) and not is_stop_word(t)}
    phrases = [t for t in terms if isinstance(t, tuple) and t]
    starts = words | {phrase[0] for phrase in phrases}
    if not starts:
        return []
    prefixes = sorted({re.escape(_prefix(w)) for w in starts})
    starting = "|".join(prefixes)
    pattern = re.compile(rf"(?<!\w)(?:{starting})\w*(?:\.?\w+)*", re.IGNORECASE | re.UNICODE)
    marked: list[_Token] = []
    for match in pattern.finditer(text):
        form = indexed_form(match.group(0))
        if form in words:
            marked.append(_Token(match.start(), match.end(), form))
        for phrase in phrases:
            if form == phrase[0]:
                marked += _phrase_at(text, match.end(), phrase, _Token(*match.span(), form))
    # Longest first at each place; a word inside a marked phrase is not marked again.
    kept: list[_Token] = []
    for token in sorted(marked, key=lambda t: (t.start, -t.end)):
        if not kept or token.start >= kept[-1].end:
            kept.append(token)
    return kept


def _prefix(form: str) -> str:
    """What every word with this stem starts with (a short word's stem may differ at its end)."""
    return form[:PREFIX] if len(form) > PREFIX else form[: PREFIX - 1]


def _phrase_at(text: str, position: int, phrase: tuple, first: _Token) -> list[_Token]:
    """The phrase as one token if its other words follow ``first``, else nothing."""
    found = 1
    for match in TOKEN_RE.finditer(text, position):
        if indexed_form(match.group(0)) != phrase[found]:
            return []
        found += 1
        if found == len(phrase):
            return [_Token(first.start, match.end(), " ".join(phrase))]
    return []


def _best_windows(text: str, marked: list[_Token]) -> list[tuple[int, int]]:
    """Up to FRAGMENTS spans of text, in reading order, holding the most distinct marks."""
    candidates = []
    for index, token in enumerate(marked):
        start = max(0, token.start - LEAD)
        end = min(len(text), start + WINDOW)
        inside = {t.form for t in marked[index:] if t.end <= end}
        candidates.append((len(inside), -start, start, end))
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in sorted(candidates, reverse=True):
        if all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
        if len(chosen) == FRAGMENTS:
            break
    return sorted(chosen)


def _render(text: str, marked: list[_Token], window: tuple[int, int]) -> str:
    start, end = window
    # Cut at word boundaries.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces, position = [], start
    for token in marked:
        if token.end <= start or token.start >= end:
            continue
        pieces.append(escape(text[position : token.start]))
        pieces.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        position = token.end
    pieces.append(escape(text[position:end]))
    return "".join(pieces).strip()
