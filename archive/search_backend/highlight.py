"""Snippets: the best part of a report's text with the searched words in ``<mark>``.

Words are found as the index found them (Whoosh's tokenizer, lower case,
stop words, Porter stems), but with one regular expression and a cache of
stems instead of an analyzer chain per token: a snippet costs a fraction of
a millisecond. Only the first ``MAX_CHARACTERS`` of a text are read, so a
very long report costs no more than an ordinary one.
"""

from dataclasses import dataclass

from django.utils.html import escape

from .analysis import TOKEN_RE, indexed_form

MAX_CHARACTERS = 20_000
WINDOW = 240  # characters a fragment spans
LEAD = 60  # characters shown before the first marked word of a fragment
FRAGMENTS = 2


@dataclass
class _Token:
    start: int
    end: int
    form: str
    marked: bool = False


def tokens(text: str) -> list[_Token]:
    found = []
    for match in TOKEN_RE.finditer(text):
        form = indexed_form(match.group(0))
        if form is not None:
            found.append(_Token(match.start(), match.end(), form))
    return found


def highlight(text: str, terms: list) -> str:
    """HTML-safe: up to two fragments of ``text`` with ``terms`` marked, joined by " … ".

    ``terms`` holds indexed words and tuples of them (phrases, marked only where
    their words stand together). "" when nothing in the text matches.
    """
    text = text[:MAX_CHARACTERS]
    words = {t for t in terms if isinstance(t, str)}
    phrases = [t for t in terms if isinstance(t, tuple) and t]
    found = tokens(text)
    for token in found:
        token.marked = token.form in words
    forms = [token.form for token in found]
    for phrase in phrases:
        size = len(phrase)
        first = phrase[0]
        for start, form in enumerate(forms):
            if form == first and tuple(forms[start : start + size]) == phrase:
                for token in found[start : start + size]:
                    token.marked = True
    marked = [token for token in found if token.marked]
    if not marked:
        return ""
    return " … ".join(_render(text, found, window) for window in _best_windows(text, marked))


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


def _render(text: str, found: list[_Token], window: tuple[int, int]) -> str:
    start, end = window
    # Cut at word boundaries.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces, position = [], start
    for token in found:
        if token.end <= start or token.start >= end or not token.marked:
            continue
        pieces.append(escape(text[position : token.start]))
        pieces.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        position = token.end
    pieces.append(escape(text[position:end]))
    return "".join(pieces).strip()
