"""Spelling candidates for a word no live report holds, in bounded time.

Each segment keeps the words of its reports (unstemmed, lower case) with a
hash of each word and of each word less one letter. A typed word and
its own one-letter deletions are looked up among those hashes: two words
meet when one edit (a letter added, dropped, changed or two swapped) or one
edit on each side turns them into one string. (A longer typed word is also taken
less two letters.) The few words met are then
measured exactly (Damerau-Levenshtein) and checked against live documents
through the body's postings (a deleted document's words stay in its
segment until the segment is merged).

What a good correction is (short words: one edit; longer: two, and the
same first letter) is decided here; which correction to show (names the
vocabulary knows first, whole queries that have hits) in ``archive.search.running``.
"""

from dataclasses import dataclass

import numpy as np

from ..common.distance import deletions, distance
from ..common.hangul import has_hangul
from .analysis import indexed_form, is_stop_word
from .arrays import MAX_SPELLING_WORD, word_hash

MAX_CANDIDATES = 60  # words measured exactly, per typed word


@dataclass(frozen=True)
class Candidate:
    word: str
    distance: int
    df: int  # documents holding its stem (some may be deleted)


def allowed_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def candidates(generation, body: str, word: str) -> list[Candidate]:
    """Words of the index near ``word`` (lower case), nearest and commonest first."""
    if len(word) > MAX_SPELLING_WORD or not word.isalpha() or has_hangul(word):
        return []  # a Korean word's particles make it no misspelling
    variants = deletions(word)
    if allowed_distance(word) > 1:  # two letters too many in what was typed
        variants = {v for one in variants for v in deletions(one)}
    hashes = np.array(sorted(word_hash(v) for v in variants), dtype=np.uint64)
    found: set[str] = set()
    for segment in generation.segments:
        if not len(segment.deletions):
            continue
        left = np.searchsorted(segment.deletions, hashes, side="left")
        right = np.searchsorted(segment.deletions, hashes, side="right")
        for a, b in zip(left, right, strict=True):
            for owner in segment.deletion_words[a : min(b, a + MAX_CANDIDATES)]:
                found.add(segment.spelling[int(owner)].decode())
        if len(found) > MAX_CANDIDATES:
            break
    limit = allowed_distance(word)
    near = []
    for text in found:
        if text == word:
            continue
        d = distance(word, text, limit + 1)
        if d <= limit and (d == 1 or text[0] == word[0]):
            near.append(Candidate(text, d, stem_frequency(generation, body, text)))
    return sorted(near, key=lambda c: (c.distance, -c.df, c.word))


def _postings_of_stem(generation, body: str, word: str):
    if has_hangul(word):
        return None  # not corrected (``candidates``), so counted as held
    form = indexed_form(word)
    if is_stop_word(form):
        return None
    encoded = form.encode()
    found = []
    for segment, offset in zip(generation.segments, generation.offsets, strict=True):
        postings = segment.fields.get(body)
        index = postings.word(encoded) if postings is not None else -1
        if index >= 0:
            found.append((postings, index, offset))
    return found


def stem_frequency(generation, body: str, word: str) -> int:
    found = _postings_of_stem(generation, body, word) or []
    return sum(postings.df(index) for postings, index, _ in found)


def in_live_document(generation, body: str, word: str, allowed: np.ndarray) -> bool:
    """Whether an ``allowed`` document holds the word (as the body indexes it).

    A stop word or a single letter counts as held: it is never misspelt.
    """
    found = _postings_of_stem(generation, body, word)
    if found is None:
        return True
    for postings, index, offset in found:
        docs, _ = postings.postings(index)
        if allowed[docs.astype(np.int64) + offset].any():
            return True
    return False
