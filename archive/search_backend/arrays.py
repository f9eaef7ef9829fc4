"""Each Whoosh segment's postings, lengths and facets as numpy arrays on disk.

Whoosh stays the index of record (haystack reads and writes it; its query
parser reads our queries). But reading its postings from Python costs about
a microsecond a posting, and a six-word query at 100,000 reports reads a
quarter of a million of them. So when a segment is written (segments never
change afterwards) its postings are copied once into ``.npy`` files beside
it, which every search process memory-maps and shares:

- for each text field: its sorted words, and for each word the documents
  holding it and how often (``tf``); for the body, also every position;
- word pairs: for each pair of words standing next to each other in the
  body, the documents where they do and how often. A phrase is found
  through its pairs; ranking uses them for proximity;
- field lengths, date keys, report ids, and each facet's values with their
  documents;
- the words of the spelling field, with their deletion neighbours, for "did
  you mean".

``derive(reader, folder)`` writes a segment's arrays (the index writer calls
it after each commit); ``SegmentArrays.load(folder)`` maps them.
"""

import bisect
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh.util.numeric import byte_to_length

from ..edits import deletions

FORMAT_VERSION = 3
DONE = "meta.json"  # written last: a folder without it is incomplete
MAX_SPELLING_WORD = 24  # longer words are neither corrected nor suggested
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class Lexicon:
    """Sorted words in one blob with offsets: binary search without a dict per process."""

    def __init__(self, blob: bytes, offsets: np.ndarray):
        self.blob, self.offsets = blob, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> bytes:
        return self.blob[self.offsets[index] : self.offsets[index + 1]]

    def find(self, word: bytes) -> int:
        """The word's index, or -1."""
        index = bisect.bisect_left(self, word)
        return index if index < len(self) and self[index] == word else -1

    def prefix_range(self, prefix: bytes) -> tuple[int, int]:
        """The indexes of the words that start with ``prefix``: [start, end)."""
        start = bisect.bisect_left(self, prefix)
        end = bisect.bisect_left(self, prefix + b"\xff", lo=start)
        return start, end

    @classmethod
    def of(cls, words: list[bytes]) -> tuple[bytes, np.ndarray]:
        offsets = np.zeros(len(words) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(w) for w in words]) if words else []
        return b"".join(words), offsets


@dataclass
class FieldPostings:
    """One field's postings: word -> (documents, term frequencies[, positions])."""

    lexicon: Lexicon
    starts: np.ndarray  # int64[words + 1] into docs and tf
    docs: np.ndarray  # uint32, local document numbers, ascending within a word
    tf: np.ndarray  # uint16
    df_all: np.ndarray  # int64[words], documents holding the word, deleted ones included
    positions: np.ndarray | None = None  # uint32, the body's positions, in posting order
    position_starts: np.ndarray | None = None  # int64[words + 1] into positions

    def word(self, text: bytes) -> int:
        return self.lexicon.find(text)

    def postings(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.starts[index], self.starts[index + 1]
        return self.docs[start:end], self.tf[start:end]

    def positions_of(self, index: int, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(local doc, position) for every occurrence of word ``index`` in ``wanted`` docs."""
        docs, tf = self.postings(index)
        keep = np.isin(docs, wanted, assume_unique=True)
        if not keep.any():
            return np.empty(0, np.uint32), np.empty(0, np.uint32)
        begins = self.position_starts[index] + np.concatenate(
            ([0], np.cumsum(tf[:-1], dtype=np.int64))
        )
        counts = tf[keep].astype(np.int64)
        first = begins[keep]
        # The positions of the kept postings, gathered without a Python loop.
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        gathered = self.positions[np.repeat(first, counts) + within]
        return np.repeat(docs[keep], counts), gathered


@dataclass
class SegmentArrays:
    """Everything the search reads of one segment, memory-mapped."""

    folder: Path
    size: int
    fields: dict[str, FieldPostings]
    lengths: dict[str, np.ndarray]  # field -> float32[size], as Whoosh decodes them
    field_totals: dict[str, int]  # field -> sum of lengths, deleted documents included
    pairs: FieldPostings  # lexicon of 8-byte keys (first word, second word)
    date_keys: np.ndarray  # int32[size], YYYYMMDD, 0 when unknown
    report_ids: np.ndarray  # int64[size]
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]]  # values, starts, docs
    spelling: Lexicon
    spelling_df: np.ndarray  # int32 per word
    deletions: np.ndarray  # uint64 hashes of words less one letter, sorted
    deletion_words: np.ndarray  # int32, the word each hash came from
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> "SegmentArrays":
        meta = json.loads((folder / DONE).read_text())

        def array(name):
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        def lexicon(name):
            return Lexicon((folder / f"{name}.words").read_bytes(), array(f"{name}.offsets"))

        fields = {}
        for name in meta["fields"]:
            positional = name in meta["positional"]
            fields[name] = FieldPostings(
                lexicon(name),
                array(f"{name}.starts"),
                array(f"{name}.docs"),
                array(f"{name}.tf"),
                array(f"{name}.df"),
                array(f"{name}.positions") if positional else None,
                array(f"{name}.position_starts") if positional else None,
            )
        pairs = FieldPostings(
            lexicon("pairs"), array("pairs.starts"), array("pairs.docs"), array("pairs.tf"),
            array("pairs.df"),
        )  # fmt: skip
        facets = {}
        for name in meta["facets"]:
            values = lexicon(f"facet.{name}")
            facets[name] = (
                [values[i].decode() for i in range(len(values))],
                array(f"facet.{name}.starts"),
                array(f"facet.{name}.docs"),
            )
        return cls(
            folder=folder,
            size=meta["size"],
            fields=fields,
            lengths={name: array(f"{name}.lengths") for name in meta["fields"]},
            field_totals=meta["field_totals"],
            pairs=pairs,
            date_keys=array("date_keys"),
            report_ids=array("report_ids"),
            facets=facets,
            spelling=lexicon("spelling"),
            spelling_df=array("spelling.df"),
            deletions=array("spelling.deletions"),
            deletion_words=array("spelling.deletion_words"),
        )


def folder_for(root: Path, segment_id: str) -> Path:
    return root / f"arrays-{segment_id}"


def is_complete(folder: Path) -> bool:
    try:
        meta = json.loads((folder / DONE).read_text())
    except (OSError, ValueError):
        return False
    return meta.get("version") == FORMAT_VERSION


# --- Writing ---------------------------------------------------------------


def derive(reader, folder: Path, schema_info: dict) -> None:
    """Write the arrays of one segment into ``folder`` (atomically: a temporary folder
    renamed into place). ``schema_info``: ``text_fields`` (the body first),
    ``positional`` (fields with positions), ``facet_fields``, ``spelling_field``,
    ``id_field``, ``date_field``.
    """
    if is_complete(folder):
        return
    temporary = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    temporary.mkdir(parents=True)
    try:
        _derive_into(reader, temporary, schema_info)
        try:
            os.rename(temporary, folder)
        except OSError:  # another process finished it first
            if not is_complete(folder):
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _derive_into(reader, out: Path, info: dict) -> None:
    size = reader.doc_count_all()

    def save(name, values):
        np.save(out / f"{name}.npy", values)

    def save_lexicon(name, words):
        blob, offsets = Lexicon.of(words)
        (out / f"{name}.words").write_bytes(blob)
        save(f"{name}.offsets", offsets)

    body = info["text_fields"][0]
    field_totals = {}
    for name in info["text_fields"]:
        positional = name in info["positional"]
        words, starts, docs, tf, df, positions, position_starts = _read_field(
            reader, name, positional
        )
        save_lexicon(name, words)
        save(f"{name}.starts", starts)
        save(f"{name}.docs", docs)
        save(f"{name}.tf", tf)
        save(f"{name}.df", df)
        if positional:
            save(f"{name}.positions", positions)
            save(f"{name}.position_starts", position_starts)
        if name == body:
            pair_words, pair_starts, pair_docs, pair_tf = _pairs(starts, docs, tf, positions)
            save_lexicon("pairs", pair_words)
            save("pairs.starts", pair_starts)
            save("pairs.docs", pair_docs)
            save("pairs.tf", pair_tf)
            save("pairs.df", np.diff(pair_starts))
        lengths = np.array(
            [reader.doc_field_length(d, name, 0) or 0 for d in range(size)], dtype=np.float32
        )
        save(f"{name}.lengths", lengths)
        field_totals[name] = int(reader.field_length(name))

    for name in info["facet_fields"]:
        values, value_starts, value_docs = [], [0], []
        if name in reader.schema:
            for text in reader.lexicon(name):
                ids = np.fromiter(reader.postings(name, text).all_ids(), dtype=np.uint32)
                values.append(text)
                value_docs.append(ids)
                value_starts.append(value_starts[-1] + len(ids))
        save_lexicon(f"facet.{name}", values)
        save(f"facet.{name}.starts", np.array(value_starts, dtype=np.int64))
        save(
            f"facet.{name}.docs",
            np.concatenate(value_docs) if value_docs else np.empty(0, np.uint32),
        )

    date_keys = np.zeros(size, dtype=np.int32)
    if reader.has_column(info["date_field"]):
        column = reader.column_reader(info["date_field"])
        date_keys[:] = [int(column[d] or 0) for d in range(size)]
    save("date_keys", date_keys)
    report_ids = np.full(size, -1, dtype=np.int64)
    for docnum in range(size):
        stored = reader.stored_fields(docnum)
        if info["id_field"] in stored:
            report_ids[docnum] = int(stored[info["id_field"]])
    save("report_ids", report_ids)

    words, df = _spelling_words(reader, info["spelling_field"])
    save_lexicon("spelling", words)
    save("spelling.df", df)
    hashes, owners = _deletion_index(words)
    save("spelling.deletions", hashes)
    save("spelling.deletion_words", owners)

    meta = {
        "version": FORMAT_VERSION,
        "size": size,
        "fields": list(info["text_fields"]),
        "positional": list(info["positional"]),
        "facets": list(info["facet_fields"]),
        "field_totals": field_totals,
    }
    (out / DONE).write_text(json.dumps(meta))


def _unwrap(matcher):
    # Deleted documents are filtered by a wrapper; the arrays keep them (the
    # search masks them out), so numbering stays the segment's own.
    while not hasattr(matcher, "_read_data") and hasattr(matcher, "child"):
        matcher = matcher.child
    return matcher


def _read_field(reader, name: str, positional: bool):
    """Every posting of a field, read a block at a time (each block is one pickle)."""
    words, starts, df = [], [0], []
    doc_chunks, tf_chunks, position_chunks, position_starts = [], [], [], [0]
    if name in reader.schema:
        for text in reader.lexicon(name):
            matcher = _unwrap(reader.postings(name, text))
            ids, weights, values = [], [], []
            while True:
                if matcher._data is None:
                    matcher._read_data()
                block_ids, block_weights, block_values = matcher._data
                count = len(block_ids)
                ids.append(np.cumsum(np.asarray(block_ids, dtype=np.int64)))
                if block_weights is None:
                    weights.append(np.ones(count, dtype=np.float32))
                elif isinstance(block_weights, float):
                    weights.append(np.full(count, block_weights, dtype=np.float32))
                else:
                    weights.append(np.asarray(block_weights, dtype=np.float32))
                if positional:
                    values.append(b"".join(block_values))
                if matcher._lastblock:
                    break
                matcher._next_block()
            term_docs = np.concatenate(ids).astype(np.uint32)
            term_weights = np.concatenate(weights)
            term_tf = np.minimum(term_weights, 65535).astype(np.uint16)
            words.append(text)
            doc_chunks.append(term_docs)
            tf_chunks.append(term_tf)
            starts.append(starts[-1] + len(term_docs))
            df.append(len(term_docs))
            if positional:
                # Each value is [count, positions…]; the count is the posting's weight.
                raw = np.frombuffer(b"".join(values), dtype="<u4")
                counts = term_weights.astype(np.int64)
                headers = np.concatenate(([0], np.cumsum(counts[:-1] + 1)))
                keep = np.ones(len(raw), dtype=bool)
                keep[headers] = False
                positions = raw[keep]
                position_chunks.append(positions)
                position_starts.append(position_starts[-1] + len(positions))
    docs = np.concatenate(doc_chunks) if doc_chunks else np.empty(0, np.uint32)
    tf = np.concatenate(tf_chunks) if tf_chunks else np.empty(0, np.uint16)
    positions = None
    if positional:
        positions = (
            np.concatenate(position_chunks) if position_chunks else np.empty(0, np.uint32)
        ).astype(np.uint32)
    return (
        words,
        np.array(starts, dtype=np.int64),
        docs,
        tf,
        np.array(df, dtype=np.int64),
        positions,
        np.array(position_starts, dtype=np.int64) if positional else None,
    )


def _pairs(starts, docs, tf, positions):
    """Word pairs from positions: for each pair of adjacent words, its documents and counts."""
    if positions is None or not len(positions):
        empty = np.empty(0, np.uint32)
        return [], np.zeros(1, np.int64), empty, np.empty(0, np.uint16)
    word_of_posting = np.repeat(np.arange(len(starts) - 1, dtype=np.int64), np.diff(starts))
    counts = tf.astype(np.int64)
    word = np.repeat(word_of_posting, counts)
    doc = np.repeat(docs.astype(np.int64), counts)
    order = np.lexsort((positions, doc))
    word, doc, position = word[order], doc[order], positions[order].astype(np.int64)
    follows = (doc[1:] == doc[:-1]) & (position[1:] == position[:-1] + 1)
    if not follows.any():
        return [], np.zeros(1, np.int64), np.empty(0, np.uint32), np.empty(0, np.uint16)
    keys = (word[:-1][follows] << 32) | word[1:][follows]
    pair_docs = doc[1:][follows]
    order = np.lexsort((pair_docs, keys))
    keys, pair_docs = keys[order], pair_docs[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (pair_docs[1:] != pair_docs[:-1])
    firsts = np.flatnonzero(new)
    pair_tf = np.diff(np.append(firsts, len(keys)))
    keys, pair_docs = keys[firsts], pair_docs[firsts]
    word_starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    unique_keys = keys[word_starts]
    pair_words = [int(k).to_bytes(8, "big") for k in unique_keys]
    pair_starts = np.append(word_starts, len(keys)).astype(np.int64)
    return (
        pair_words,
        pair_starts,
        pair_docs.astype(np.uint32),
        np.minimum(pair_tf, 65535).astype(np.uint16),
    )


def pair_key(first: int, second: int) -> bytes:
    return ((first << 32) | second).to_bytes(8, "big")


def _spelling_words(reader, name: str) -> tuple[list[bytes], np.ndarray]:
    words, df = [], []
    if name in reader.schema:
        for text in reader.lexicon(name):
            if len(text) <= MAX_SPELLING_WORD * 4 and len(text.decode()) <= MAX_SPELLING_WORD:
                words.append(text)
                df.append(reader.doc_frequency(name, text))
    return words, np.array(df, dtype=np.int32)


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (Python's own differs between processes)."""
    return int.from_bytes(_blake(word.encode()), "little")


def _blake(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=8).digest()


def _deletion_index(words: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    hashes, owners = [], []
    for index, word in enumerate(words):
        for variant in deletions(word.decode()):
            hashes.append(word_hash(variant))
            owners.append(index)
    hashes = np.array(hashes, dtype=np.uint64)
    owners = np.array(owners, dtype=np.int32)
    order = np.argsort(hashes, kind="stable")
    return hashes[order], owners[order]
