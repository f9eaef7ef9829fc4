"""Running a parsed query over the arrays: what matches, and how well.

Whoosh's parser turns the reader's text into a tree (words, phrases, AND,
OR, NOT, prefixes); this module walks the tree with numpy instead of
Whoosh's matchers. Every node gives a boolean mask over all documents and a
score where it matches.

Scores (what ``evaluate_search`` measured, see ``ranking`` in the README):

- each word: BM25F, as Whoosh computes it (same idf, lengths and
  parameters), in the body; plus, when the word is in the headline, BM25 in
  the headline field times ``HEADLINE_WEIGHT``;
- each pair of words typed next to each other (``border guards``): BM25 of
  the pair in the body, where the two stand together, times ``PAIR_WEIGHT``;
- a report where every typed pair stands together (the whole query as a
  phrase) gets ``PHRASE_BONUS``, enough to rank above any report where they
  do not.

A quoted phrase finds its reports through the pairs (a look-up, not a scan
of every document holding its words) and, for three words or more, checks
the positions of those few candidates, so that it finds exactly what
Whoosh's ``Phrase`` finds.

The work of every query is bounded: a prefix needs ``MIN_PREFIX`` letters
and stands for at most ``MAX_EXPANSION`` words (the commonest); a pattern
starting with a wildcard, a range or a field name is not run.
"""

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq

from .analysis import TOKEN_RE, indexed_forms, is_stop_word
from .arrays import intersect_sorted, pair_key

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
HEADLINE_WEIGHT = 1.0
PAIR_WEIGHT = 1.0
PHRASE_BONUS = 1000.0
MIN_PREFIX = 3
MAX_EXPANSION = 50


@dataclass
class Matches:
    mask: np.ndarray  # bool[size]
    score: np.ndarray  # float64[size], meaningful where mask is set


@dataclass
class Outcome:
    """What a query did, besides matching: for snippets and for telling the reader."""

    words: set = field(default_factory=set)  # indexed words to mark
    phrases: set = field(default_factory=set)  # tuples of indexed words
    notices: list[str] = field(default_factory=list)


class Evaluator:
    def __init__(
        self, generation, body: str, headline: str | None, scored: bool = True, dated=None
    ):
        self.generation = generation
        self.body, self.headline = body, headline
        self.scored = scored
        self.size = generation.size
        self.outcome = Outcome()
        # Indexed words of a phrase or word -> (first, last) YYYYMMDD it may match.
        self.dated = dated or {}
        # Phrases already followed through the positions: the name typed is searched
        # as a phrase and then looked for again among the reports that rank by it.
        self._in_row: dict[tuple[str, ...], np.ndarray] = {}

    # -- the tree --------------------------------------------------------------

    def run(self, query, typed=None, text: str = "") -> Matches:
        """Evaluate a parsed query.

        ``typed`` (the parse of what the reader typed, before other names were
        added) and ``text`` (what was typed) tell which words stand next to each
        other: the parsed tree drops a word typed twice.
        """
        found = self._node(query)
        if self.scored:
            words = _typed_words(query if typed is None else typed, text)
            found = self._with_proximity(words, found)
        return found

    def _node(self, query) -> Matches:
        boost = getattr(query, "boost", 1.0) or 1.0
        if isinstance(query, wq.Term):
            found = self._in_its_years((query.text,), self._word(query.text))
        elif isinstance(query, wq.Phrase):
            found = self._in_its_years(tuple(query.words), self._phrase(list(query.words)))
        elif isinstance(query, wq.And | wq.Ordered):
            # A stop word ("the", "of") is not required of a report unless it is all
            # there is: it still counts where the words stand together.
            required = [q for q in query.subqueries if not _is_stop_term(q)]
            found = self._all([self._node(q) for q in required or query.subqueries])
        elif isinstance(query, wq.Or | wq.DisjunctionMax):
            found = self._any([self._node(q) for q in query.subqueries])
        elif isinstance(query, wq.AndNot):
            positive, negative = self._node(query.a), self._node(query.b)
            found = Matches(positive.mask & ~negative.mask, positive.score)
        elif isinstance(query, wq.AndMaybe):
            required, optional = self._node(query.a), self._node(query.b)
            found = Matches(required.mask, required.score + optional.score * optional.mask)
        elif isinstance(query, wq.Require):
            required, scoring = self._node(query.a), self._node(query.b)
            found = Matches(required.mask & scoring.mask, required.score + scoring.score)
        elif isinstance(query, wq.Not):
            inner = self._node(query.query)
            found = Matches(~inner.mask, self._zeros())
        elif isinstance(query, wq.Every):
            found = Matches(np.ones(self.size, dtype=bool), self._zeros())
        elif isinstance(query, wq.Prefix):
            found = self._prefix(query.text)
        elif isinstance(query, wq.Wildcard):
            found = self._wildcard(query.text)
        else:  # ranges, fuzzy terms, the null query: nothing a reader may run
            found = self._nothing()
        if boost != 1.0:
            found.score = found.score * boost
        return found

    def _in_its_years(self, words: tuple[str, ...], found: Matches) -> Matches:
        """A name of a renamed body, searched "as named at the time": only in reports
        dated within the years it was in use (or undated)."""
        years = self.dated.get(words)
        if years is not None:
            keys = self.generation.date_keys
            found.mask &= ((keys >= years[0]) & (keys <= years[1])) | (keys == 0)
        return found

    def _all(self, parts: list[Matches]) -> Matches:
        if not parts:
            return self._nothing()
        mask = parts[0].mask.copy()
        score = parts[0].score.copy()
        for part in parts[1:]:
            mask &= part.mask
            score += part.score
        return Matches(mask, score)

    def _any(self, parts: list[Matches]) -> Matches:
        if not parts:
            return self._nothing()
        mask = np.zeros(self.size, dtype=bool)
        score = self._zeros()
        for part in parts:
            mask |= part.mask
            score += np.where(part.mask, part.score, 0)
        return Matches(mask, score)

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.size, dtype=np.float64)

    def _nothing(self) -> Matches:
        return Matches(np.zeros(self.size, dtype=bool), self._zeros())

    # -- words -------------------------------------------------------------------

    def _word(self, text: str, marked: bool = True) -> Matches:
        """One indexed word: documents holding it in the body, BM25F (+ headline).

        ``marked``: the word is marked in snippets (not when it is part of a phrase).
        """
        word = text.encode() if isinstance(text, str) else text
        found = self._nothing()
        # A stop word must be there, but counts for nothing in the ranking.
        scored = self.scored and not is_stop_word(word.decode())
        if self._bm25(self.body, word, found, mark=True, scored=scored) and marked:
            self.outcome.words.add(word.decode())
        if self.headline and scored:
            extra = self._nothing()
            if self._bm25(self.headline, word, extra, mark=False, scored=True):
                found.score += extra.score * HEADLINE_WEIGHT
        return found

    def _bm25(self, field_name: str, word: bytes, into: Matches, mark: bool, scored: bool) -> bool:
        """Add the word's BM25 in a field to ``into`` (and its documents to the mask)."""
        located = []
        df = 0
        for segment, offset in zip(self.generation.segments, self.generation.offsets, strict=True):
            postings = segment.fields.get(field_name)
            index = postings.word(word) if postings is not None else -1
            if index >= 0:
                located.append((segment, offset, postings, index))
                df += postings.df(index)
        if not located:
            return False
        idf = math.log(self.size / (df + 1)) + 1
        avgfl = self.generation.avg_length(field_name) or 1.0
        for segment, offset, postings, index in located:
            docs, tf = postings.postings(index)
            docs = docs.astype(np.int64) + offset
            if mark:
                into.mask[docs] = True
            if scored:
                into.score[docs] += _bm25(
                    idf, tf.astype(np.float64), segment.lengths[field_name][docs - offset], avgfl
                )
        return True

    def _expand(self, prefix: str) -> list[str]:
        """The commonest indexed words starting with ``prefix``, at most MAX_EXPANSION."""
        counts: dict[bytes, int] = {}
        encoded = prefix.encode()
        for segment in self.generation.segments:
            postings = segment.fields.get(self.body)
            if postings is None:
                continue
            start, end = postings.lexicon.prefix_range(encoded)
            if end - start > 20 * MAX_EXPANSION:  # enough to choose from; bounded work
                end = start + 20 * MAX_EXPANSION
            for index in range(start, end):
                word = postings.lexicon[index]
                counts[word] = counts.get(word, 0) + postings.df(index)
        chosen = sorted(counts, key=lambda w: (-counts[w], w))
        if len(chosen) > MAX_EXPANSION:
            self.outcome.notices.append(
                f"“{prefix}*” stands for more than {MAX_EXPANSION} words; "
                f"the {MAX_EXPANSION} commonest were searched."
            )
        return [w.decode() for w in chosen[:MAX_EXPANSION]]

    def _prefix(self, prefix: str) -> Matches:
        if len(prefix) < MIN_PREFIX:
            self.outcome.notices.append(
                f"“{prefix}*” was left out: a * needs at least {MIN_PREFIX} letters before it."
            )
            return self._nothing()
        return self._any([self._word(word) for word in self._expand(prefix)])

    def _wildcard(self, pattern: str) -> Matches:
        """``secur?ty``, ``defect*s``: expanded from the letters before the first wildcard."""
        first_wildcard = min(
            i for i in (pattern.find("*"), pattern.find("?"), len(pattern)) if i >= 0
        )
        literal = pattern[:first_wildcard]
        if len(literal) < MIN_PREFIX:
            self.outcome.notices.append(
                f"“{pattern}” was left out: a wildcard needs at least {MIN_PREFIX} letters "
                "before it."
            )
            return self._nothing()
        matcher = wq.Wildcard("x", pattern)
        words = [w for w in self._expand(literal) if matcher._get_pattern().match(w)]
        return self._any([self._word(word) for word in words])

    # -- phrases and proximity -----------------------------------------------------

    def _pair_postings(self, first: str, second: str):
        """(segment offset, docs, tf) of a word pair in each segment, and its df."""
        found, df = [], 0
        first_b, second_b = first.encode(), second.encode()
        for segment, offset in zip(self.generation.segments, self.generation.offsets, strict=True):
            body = segment.fields.get(self.body)
            if body is None:
                continue
            a, b = body.word(first_b), body.word(second_b)
            if a < 0 or b < 0:
                continue
            index = segment.pairs.word(pair_key(a, b))
            if index >= 0:
                docs, tf = segment.pairs.postings(index)
                found.append((segment, offset, docs, tf))
                df += len(docs)
        return found, df

    def _phrase(self, words: list[str]) -> Matches:
        if not words:
            return self._nothing()
        if len(words) == 1:
            return self._word(words[0])
        self.outcome.phrases.add(tuple(words))
        mask = self._in_a_row(words)
        score = self._zeros()
        if self.scored and mask.any():
            for word in words:
                score += self._word(word, marked=False).score
            for first, second in itertools.pairwise(words):
                score += self._pair_score(first, second) * PAIR_WEIGHT
        return Matches(mask, score)

    def _in_a_row(self, words: list[str], among: np.ndarray | None = None) -> np.ndarray:
        """Mask of the documents (``among`` them, when given) holding the words in a row."""
        known = self._in_row.get(tuple(words))
        if known is not None:
            return known & among if among is not None else known.copy()
        mask = np.zeros(self.size, dtype=bool)
        for segment, offset in zip(self.generation.segments, self.generation.offsets, strict=True):
            local = None
            if among is not None:
                local = among[offset : offset + segment.size].nonzero()[0].astype(np.uint32)
                if not len(local):
                    continue
            found = self._phrase_in_segment(segment, words, local)
            mask[found.astype(np.int64) + offset] = True
        if among is None:
            self._in_row[tuple(words)] = mask.copy()
        return mask

    def _phrase_in_segment(self, segment, words: list[str], among=None) -> np.ndarray:
        """Local documents of one segment (of ``among``) holding the words in a row."""
        body = segment.fields.get(self.body)
        if body is None:
            return np.empty(0, np.uint32)
        ids = [body.word(w.encode()) for w in words]
        if min(ids) < 0:
            return np.empty(0, np.uint32)
        candidates = among
        for a, b in itertools.pairwise(ids):
            index = segment.pairs.word(pair_key(a, b))
            if index < 0:
                return np.empty(0, np.uint32)
            docs, _ = segment.pairs.postings(index)
            candidates = docs if candidates is None else intersect_sorted(candidates, docs)
            if not len(candidates):
                return candidates
        if len(words) == 2:
            return candidates
        # Three words or more: each pair is present, but are they one run? Follow the
        # first word's occurrences through the positions of the others.
        starts = body.occurrences(ids[0], candidates)
        read = {ids[0]: starts}  # a word twice in the phrase ("of") is read once
        for shift, index in enumerate(ids[1:], start=1):
            if index not in read:
                read[index] = body.occurrences(index, candidates)
            following = read[index]
            wanted = starts + shift
            found = np.searchsorted(following, wanted)
            found = np.minimum(found, len(following) - 1)
            starts = starts[following[found] == wanted]
            if not len(starts):
                return np.empty(0, np.uint32)
        docs = starts >> 32  # ascending: keep each document once
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))].astype(np.uint32)

    def _pair_score(self, first: str, second: str) -> np.ndarray:
        score = self._zeros()
        found, df = self._pair_postings(first, second)
        if not found:
            return score
        idf = math.log(self.size / (df + 1)) + 1
        avgfl = self.generation.avg_length(self.body) or 1.0
        for segment, offset, docs, tf in found:
            docs = docs.astype(np.int64) + offset
            score[docs] += _bm25(
                idf, tf.astype(np.float64), segment.lengths[self.body][docs - offset], avgfl
            )
        return score

    def _with_proximity(self, words: list[str], found: Matches) -> Matches:
        """Reward reports where the words typed next to each other stand together."""
        if len(words) < 2:
            return found
        pairs = list(itertools.pairwise(words))
        together = np.zeros(self.size, dtype=np.int32)
        score = found.score.copy()
        for first, second in pairs:
            pair = self._pair_score(first, second)
            score += pair * PAIR_WEIGHT
            together += pair > 0
        # Every pair stands together: the words may be the whole query in a row. The
        # positions of those few reports tell; the whole query as a phrase ranks first.
        every_pair = found.mask & (together == len(pairs))
        score += np.where(every_pair, PHRASE_BONUS, 0)
        if len(words) > 2 and every_pair.any():
            score += np.where(self._in_a_row(words, among=every_pair), PHRASE_BONUS, 0)
        return Matches(found.mask, score)


def _is_stop_term(query) -> bool:
    return isinstance(query, wq.Term) and is_stop_word(query.text)


def _typed_words(query, text: str) -> list[str]:
    """The indexed words of a query of plain words (``a b c``), in the order typed and
    with repeats; [] for anything else (phrases, operators, widened names)."""
    if isinstance(query, wq.Term) or (
        isinstance(query, wq.And) and all(isinstance(q, wq.Term) for q in query.subqueries)
    ):
        return [form for m in TOKEN_RE.finditer(text) for form in indexed_forms(m.group(0))]
    return []


def _bm25(idf: float, tf: np.ndarray, lengths: np.ndarray, avgfl: float) -> np.ndarray:
    # Whoosh's bm25() in double precision, operand order included, so that near-ties
    # rank the same.
    lengths = lengths.astype(np.float64)
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avgfl)))
