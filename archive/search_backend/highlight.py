"""Snippets: the best part of a report's text with the searched words in ``<mark>``.

Words are found as the index found them (Whoosh's tokenizer, lower case,
Porter stems, Korean words' forms: ``analysis.indexed_forms``); a stop word is
marked only inside a phrase. Rather than analyse
every word of a report, one regular expression finds the words that start
like a searched word, and only those are stemmed and compared; a phrase is
followed from its first word. A Korean form may stand inside a written word
(동지 in 김정일동지께서) and is folded (노동 for 로동), so a searched Korean word
is looked for among every word's forms, and the written word holding it is marked.
Only the first ``MAX_CHARACTERS`` of a text are read, so a very long report
costs no more than an ordinary one: a snippet takes a fraction of a millisecond.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape

from ..common.hangul import has_hangul
from .analysis import TOKEN_RE, indexed_forms, is_stop_word

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


def tokens(text: str, position: int = 0) -> list[_Token]:
    """Every indexed word of ``text`` from ``position``, in order (a Korean word's
    forms each span the written word)."""
    return list(_tokens(text, position))


def _tokens(text: str, position: int = 0):
    for match in TOKEN_RE.finditer(text, position):
        for form in indexed_forms(match.group(0)):
            yield _Token(match.start(), match.end(), form)


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
    latin = {w for w in starts if not has_hangul(w)}
    marked = _latin_marks(text, latin, words, phrases) if latin else []
    if len(latin) < len(starts):
        marked += _korean_marks(text, words, phrases)
    # Longest first at each place; a word inside a marked phrase is not marked again.
    kept: list[_Token] = []
    for token in sorted(marked, key=lambda t: (t.start, -t.end)):
        if not kept or token.start >= kept[-1].end:
            kept.append(token)
    return kept


def _latin_marks(text: str, starts: set, words: set, phrases: list) -> list[_Token]:
    """Marks of the words and phrases starting with a word that is not Korean."""
    prefixes = sorted({re.escape(_prefix(w)) for w in starts})
    starting = "|".join(prefixes)
    pattern = re.compile(rf"(?<!\w)(?:{starting})\w*(?:\.?\w+)*", re.IGNORECASE | re.UNICODE)
    marked: list[_Token] = []
    for match in pattern.finditer(text):
        forms = indexed_forms(match.group(0))  # one, or none ("KCNA는": its first)
        if not forms:
            continue
        form = forms[0]
        if form in words:
            marked.append(_Token(match.start(), match.end(), form))
        for phrase in phrases:
            if form == phrase[0]:
                marked += _phrase_at(text, match.end(), phrase, _Token(*match.span(), form))
    return marked


def _korean_marks(text: str, words: set, phrases: list) -> list[_Token]:
    """Marks of Korean words and phrases: every written word's forms are compared."""
    korean_words = {w for w in words if has_hangul(w)}
    korean_phrases = [p for p in phrases if has_hangul(p[0])]
    stream = tokens(text)
    marked: list[_Token] = []
    for index, token in enumerate(stream):
        if token.form in korean_words:
            marked.append(token)
        for phrase in korean_phrases:
            following = stream[index : index + len(phrase)]
            if tuple(t.form for t in following) == phrase:
                marked.append(_Token(token.start, following[-1].end, " ".join(phrase)))
    return marked


def _prefix(form: str) -> str:
    """What every word with this stem starts with (a short word's stem may differ at its end)."""
    return form[:PREFIX] if len(form) > PREFIX else form[: PREFIX - 1]


def _phrase_at(text: str, position: int, phrase: tuple, first: _Token) -> list[_Token]:
    """The phrase as one token if its other words follow ``first``, else nothing."""
    found = 1
    for token in _tokens(text, position):
        if token.form != phrase[found]:
            return []
        found += 1
        if found == len(phrase):
            return [_Token(first.start, token.end, " ".join(phrase))]
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
