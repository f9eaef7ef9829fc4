"""How text becomes indexed words, in one pass.

``WordAnalyzer`` gives exactly the tokens of Whoosh's ``StemmingAnalyzer``
(its tokenizer, lower case, stop words and words under two letters dropped,
positions renumbered across them, Porter stems) or, with ``stem=False``,
of ``StandardAnalyzer(stoplist=None)`` (tokenizer and lower case only). Whoosh chains a
generator per step; indexing 100,000 reports spends most of its time there,
so this does the steps in one loop with a cache of stems. The snippets
(``highlight``) use the same ``indexed_form``.
"""

import functools
import re

from whoosh.analysis import STOP_WORDS, Composable, Token
from whoosh.lang.porter import stem

TOKEN_RE = re.compile(r"\w+(\.?\w+)*", re.UNICODE)


@functools.lru_cache(maxsize=200_000)
def stemmed(word: str) -> str:
    return stem(word)


def indexed_form(word: str) -> str | None:
    """A word as the body field holds it, or None for a stop word or a single letter."""
    lowered = word.lower()
    if len(lowered) < 2 or lowered in STOP_WORDS:
        return None
    return stemmed(lowered)


class WordAnalyzer(Composable):
    def __init__(self, stem: bool = True):
        self.stem = stem

    def __eq__(self, other):
        return type(other) is type(self) and other.stem == self.stem

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
        stops, shortest = (STOP_WORDS, 2) if self.stem else ((), 0)
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
            if positions:
                position = start_pos + index if position is None else position + 1
                token.pos = position
            token.text = stemmed(word) if self.stem else word
            token.stopped = False
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
