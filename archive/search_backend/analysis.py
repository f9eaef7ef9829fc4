"""How text becomes indexed words, in one pass.

``WordAnalyzer`` gives exactly the tokens of Whoosh's ``StemmingAnalyzer``
(its tokenizer, lower case, Porter stems; with a ``stoplist``, stop words
and words under two letters dropped and positions renumbered across them)
or, with ``stem=False``, of ``StandardAnalyzer``.

The archive indexes every word, stop words included (``stoplist=None``): a
reader who remembers "held that the U.S. is" remembers those words too, and
a phrase is exact ("Ministry of State Security" is not "Ministry for State
Security"). Stop words still count for nothing in ranking (``query``). Whoosh chains a
generator per step; indexing 100,000 reports spends most of its time there,
so this does the steps in one loop with a cache of stems. The snippets
(``highlight``) use the same ``indexed_forms``.

A word in Korean script is read by ``korean.forms`` instead: it may give several
forms (김정일동지께서 → 김정일, 동지), indexed at consecutive positions, or none
(a lone particle). Any other word outside ASCII is folded first (NFKC: full-width
digits and letters become ordinary ones).
"""

import functools
import re
import unicodedata

from whoosh.analysis import STOP_WORDS, Composable, Token
from whoosh.lang.porter import stem

from ..common.hangul import has_hangul
from . import korean

TOKEN_RE = re.compile(r"\w+(\.?\w+)*", re.UNICODE)
WORDS_RE = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)  # the same, for findall


@functools.lru_cache(maxsize=200_000)
def stemmed(word: str) -> str:
    return stem(word)


def indexed_form(word: str) -> str:
    """A word (not Korean) as the body field holds it: lower case, stemmed."""
    return stemmed(word.lower())


def indexed_forms(word: str, stem: bool = True) -> tuple[str, ...]:
    """A written word as the body field holds it: one form, or a Korean word's forms."""
    if word.isascii():
        return (stemmed(word.lower()) if stem else word.lower(),)
    if has_hangul(word):
        return korean.forms(word)
    word = unicodedata.normalize("NFKC", word).lower()
    return (stemmed(word) if stem else word,)


def is_stop_word(form: str) -> bool:
    """A word too common to tell reports apart ("the", "of", single Latin letters);
    a Korean syllable is a word (당, 도)."""
    return (len(form) < 2 and not has_hangul(form)) or form in STOP_WORDS


class WordAnalyzer(Composable):
    def __init__(self, stem: bool = True, stoplist: frozenset | None = STOP_WORDS):
        self.stem = stem
        self.stoplist = stoplist

    def __eq__(self, other):
        return type(other) is type(self) and (other.stem, other.stoplist) == (
            self.stem,
            self.stoplist,
        )

    def __hash__(self):
        return hash((type(self), self.stem))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stops, shortest = (self.stoplist, 2) if self.stoplist is not None else ((), 0)
        matches = TOKEN_RE.finditer(value) if tokenize else [_Whole(value)]
        position = None
        for index, match in enumerate(matches):
            original = match.group(0)
            word = original.lower()
            token.boost = 1.0
            if keeporiginal:
                token.original = original
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            if len(word) < shortest or word in stops:
                if removestops:
                    continue
                token.text, token.stopped = word, True
                if positions:
                    token.pos = start_pos + index
                yield token
                continue
            token.stopped = False
            if word.isascii() or not tokenize:
                if positions:
                    position = start_pos + index if position is None else position + 1
                    token.pos = position
                token.text = stemmed(word) if self.stem else word
                yield token
                continue
            for form in indexed_forms(original, self.stem):  # Korean: none, one or more
                if positions:
                    position = start_pos + index if position is None else position + 1
                    token.pos = position
                token.text = form
                yield token


class _Whole:
    """The whole value as one match, for ``tokenize=False``."""

    def __init__(self, value: str):
        self.value = value

    def group(self, _):
        return self.value

    def start(self):
        return 0

    def end(self):
        return len(self.value)
