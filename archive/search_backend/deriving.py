"""Writing a segment's arrays (see ``arrays``): once, when the segment is written,
into a temporary folder renamed into place."""

import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from ..common.distance import deletions
from .arrays import DONE, FORMAT_VERSION, MAX_SPELLING_WORD, Lexicon, is_complete, word_hash


def derive(reader, folder: Path, schema_info: dict, words_of=None) -> None:
    """Write the arrays of one segment into ``folder`` (atomically: a temporary folder
    renamed into place). ``schema_info``: ``text_fields`` (the body first),
    ``positional`` (fields with positions), ``facet_fields``, ``id_field``,
    ``date_field``. ``words_of(report_ids)`` gives the words of those reports
    (lower case, unstemmed), for spelling.
    """
    if is_complete(folder):
        return
    temporary = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    temporary.mkdir(parents=True)
    try:
        _derive_into(reader, temporary, schema_info, words_of)
        if folder.exists():  # left by an older version of this code, or half-written
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.rename(temporary, folder)
        except OSError:  # another process finished it first
            if not is_complete(folder):
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _derive_into(reader, out: Path, info: dict, words_of) -> None:
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
        words, starts, docs, tf, positions, position_starts = _read_field(reader, name, positional)
        save_lexicon(name, words)
        save(f"{name}.starts", starts)
        save(f"{name}.docs", docs)
        save(f"{name}.tf", tf if positional else np.minimum(tf, 255).astype(np.uint8))
        if positional:
            save(f"{name}.positions", positions)
            save(f"{name}.position_starts", position_starts)
        if name == body:
            pair_keys, pair_starts, pair_docs, pair_tf = _pairs(starts, docs, tf, positions)
            save("pairs.keys", pair_keys)
            save("pairs.starts", pair_starts)
            save("pairs.docs", pair_docs)
            save("pairs.tf", pair_tf)
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

    ids = [int(i) for i in report_ids[report_ids >= 0]]
    words = sorted(
        {
            w.encode()
            for w in (words_of(ids) if words_of else ())
            if len(w) <= MAX_SPELLING_WORD and w.isalpha()
        }
    )
    save_lexicon("spelling", words)
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
    words, starts = [], [0]
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
        positions,
        np.array(position_starts, dtype=np.int64) if positional else None,
    )


def _pairs(starts, docs, tf, positions):
    """Word pairs from positions: for each pair of adjacent words, its documents and counts."""
    none = (
        np.empty(0, np.uint64),  # pair keys
        np.zeros(1, np.int64),  # starts
        np.empty(0, np.uint32),  # documents
        np.empty(0, np.uint8),  # counts
    )
    if positions is None or not len(positions):
        return none
    word_of_posting = np.repeat(np.arange(len(starts) - 1, dtype=np.int64), np.diff(starts))
    counts = tf.astype(np.int64)
    word = np.repeat(word_of_posting, counts)
    doc = np.repeat(docs.astype(np.int64), counts)
    order = np.lexsort((positions, doc))
    word, doc, position = word[order], doc[order], positions[order].astype(np.int64)
    follows = (doc[1:] == doc[:-1]) & (position[1:] == position[:-1] + 1)
    if not follows.any():
        return none
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
    pair_starts = np.append(word_starts, len(keys)).astype(np.int64)
    return (
        keys[word_starts].astype(np.uint64),
        pair_starts,
        pair_docs.astype(np.uint32),
        np.minimum(pair_tf, 255).astype(np.uint8),
    )


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
