"""“Did you mean”: a correction of a misspelt query that has results, as the reader would write it.

For each word no published report holds, the engine offers near words that
one does (``SearchEngine.spelling_candidates``: bounded, from live documents
only), and the vocabulary offers near names it knows (“Sinuju” → Sinuiju,
never another place that happens to be near in letters). Names come first.
The corrected query is shown only when it has results; when the reader's
own query had none and every correction is one letter away or a known name,
its results are shown straight away (“Showing results for …”).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..common.distance import distance

WORD_RE = re.compile(r"(?<![\w*:])[^\W\d_]{3,}(?![\w*:])")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
MAX_WORDS = 8  # words of a query checked for spelling


@dataclass(frozen=True)
class Correction:
    text: str
    show_instead: bool  # the reader's query found nothing, and this one clearly fixes it


def plain_words(text: str) -> list[str]:
    """The query's words of three letters or more, lower case, without operators."""
    return [m.group(0).lower() for m in WORD_RE.finditer(text) if m.group(0) not in OPERATORS]


def correct(
    text: str,
    total: int,
    spelling: Callable[[list[str]], dict[str, list[str]]],
    near_names: Callable[[str], list[str]],
    hits: Callable[[str], int],
) -> Correction | None:
    """A correction of ``text`` (whose results numbered ``total``) that has results, or None."""
    words = list(dict.fromkeys(plain_words(text)))[:MAX_WORDS]
    unknown = spelling(words)
    if not unknown:
        return None
    replacements, confident = {}, True
    for word, candidates in unknown.items():
        names = near_names(word)
        if names:
            replacements[word] = names[0]
        elif candidates:
            replacements[word] = _as_named(candidates[0], near_names)
            confident = confident and distance(word, candidates[0]) == 1
        else:
            confident = False
    if not replacements:
        return None

    def respell(match) -> str:
        typed = match.group(0)
        found = replacements.get(typed.lower())
        return typed if found is None else as_typed(typed, found)

    corrected = WORD_RE.sub(respell, text)
    if corrected == text or not hits(corrected):
        return None
    return Correction(corrected, show_instead=total == 0 and confident)


def _as_named(word: str, near_names: Callable[[str], list[str]]) -> str:
    """An indexed word (lower case) that is a term's name, written as the term is:
    “pyongyang” is Pyongyang."""
    return next((name for name in near_names(word) if name.lower() == word), word)


def as_typed(typed: str, suggestion: str) -> str:
    """The suggestion in the reader's case: a name as the vocabulary writes it."""
    if suggestion != suggestion.lower():  # a name: “Sinuiju”, “Kim Jong Un”
        return suggestion
    if typed.isupper() and len(typed) > 1:
        return suggestion.upper()
    if typed[0].isupper():
        return suggestion.capitalize()
    return suggestion
