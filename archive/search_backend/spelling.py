"""Spelling candidates for a word no live report holds, in bounded time.

Each segment keeps the words of its spelling field (unstemmed, lower case)
with a hash of each word and of each word less one letter. A typed word and
its own one-letter deletions are looked up among those hashes: two words
meet when one edit (a letter added, dropped, changed or two swapped) or one
edit on each side turns them into one string. (A longer typed word is also taken
less two letters.) The few words met are then
measured exactly (Damerau-Levenshtein) and checked against live documents,
since Whoosh keeps a deleted document's words until its segment is merged.

What a good correction is (short words: one edit; longer: two, and the
same first letter) is decided here; which correction to show (names the
vocabulary knows first, whole queries that have hits) in ``archive.search``.
"""

from dataclasses import dataclass

import numpy as np

from ..edits import deletions, distance
from .arrays import MAX_SPELLING_WORD, word_hash

MAX_CANDIDATES = 60  # words measured exactly, per typed word
MAX_BLOCKS = 4  # posting blocks read to find a live document holding a word


@dataclass(frozen=True)
class Candidate:
    word: str
    distance: int
    df: int  # documents holding it (some may be deleted)


def allowed_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def candidates(generation, word: str) -> list[Candidate]:
    """Words of the index near ``word`` (lower case), nearest and commonest first."""
    if len(word) > MAX_SPELLING_WORD or not word.isalpha():
        return []
    variants = deletions(word)
    if allowed_distance(word) > 1:  # two letters too many in what was typed
        variants = {v for one in variants for v in deletions(one)}
    hashes = np.array(sorted(word_hash(v) for v in variants), dtype=np.uint64)
    found: dict[str, int] = {}
    for segment in generation.segments:
        if not len(segment.deletions):
            continue
        left = np.searchsorted(segment.deletions, hashes, side="left")
        right = np.searchsorted(segment.deletions, hashes, side="right")
        for a, b in zip(left, right, strict=True):
            for owner in segment.deletion_words[a : min(b, a + MAX_CANDIDATES)]:
                text = segment.spelling[int(owner)].decode()
                found[text] = found.get(text, 0) + int(segment.spelling_df[int(owner)])
        if len(found) > MAX_CANDIDATES:
            break
    limit = allowed_distance(word)
    near = []
    for text, df in found.items():
        if text == word:
            continue
        d = distance(word, text, limit + 1)
        if d <= limit and (d == 1 or text[0] == word[0]):
            near.append(Candidate(text, d, df))
    return sorted(near, key=lambda c: (c.distance, -c.df, c.word))


def in_live_document(generation, field_name: str, word: str, allowed: np.ndarray) -> bool:
    """Whether an ``allowed`` document holds the word (reading at most a few posting blocks)."""
    encoded = word.encode()
    reader = generation.searcher.reader()
    for (leaf, offset), segment in zip(reader.leaf_readers(), generation.segments, strict=False):
        if segment.spelling.find(encoded) < 0 or (field_name, encoded) not in leaf:
            continue
        matcher = leaf.postings(field_name, encoded)
        while hasattr(matcher, "child") and not hasattr(matcher, "_read_data"):
            matcher = matcher.child
        for _ in range(MAX_BLOCKS):
            if matcher._data is None:
                matcher._read_data()
            ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64)) + offset
            if allowed[ids].any():
                return True
            if matcher._lastblock:
                break
            matcher._next_block()
        else:
            return True  # very common: assume some live document holds it
    return False
