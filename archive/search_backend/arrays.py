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
- every word of the segment's reports as written (lower case, unstemmed),
  with their deletion neighbours, for "did you mean": read from the
  reports' text (``words_of``), because a Whoosh field of them doubled the
  time to build the index.

``deriving.derive(reader, folder)`` writes a segment's arrays (the index writer
calls it after each commit); ``SegmentArrays.load(folder)`` maps them.
"""

import bisect
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh.util.numeric import byte_to_length

FORMAT_VERSION = 4
DONE = "meta.json"  # written last: a folder without it is incomplete
MAX_SPELLING_WORD = 24  # longer words are neither corrected nor suggested
# Reading a word's positions for a few documents: ranges less than MIN_GAP elements
# apart are read in one call (a system call costs more than 4 KB read through), and
# at most MAX_READS calls are made, across the largest gaps.
MIN_GAP = 1024
MAX_READS = 64
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


class DiskArray:
    """A one-dimensional ``.npy`` file read a slice at a time (``os.pread``).

    The postings, pairs and positions are most of the arrays' size. Mapped into
    memory, every page a search touched would count in each worker's resident
    memory; read like this, they stay in the kernel's page cache, which the
    workers share, and a slice costs one system call.
    """

    def __init__(self, path: Path):
        with path.open("rb") as handle:
            version = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(handle)
            self.offset = handle.tell()
        self.dtype = np.dtype(dtype)
        self.length = shape[0] if shape else 0
        self.fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.length

    def __del__(self):
        fd = getattr(self, "fd", None)
        if fd is not None:
            os.close(fd)

    def read(self, start: int, end: int) -> np.ndarray:
        start, end = int(start), int(end)
        if end <= start:
            return np.empty(0, self.dtype)
        size = self.dtype.itemsize
        data = os.pread(self.fd, (end - start) * size, self.offset + start * size)
        return np.frombuffer(data, dtype=self.dtype)

    def gather(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The elements of ascending, non-overlapping ranges ``[starts[i], ends[i])``,
        concatenated: what a phrase needs of a common word's millions of positions,
        read in at most MAX_READS calls that skip the largest gaps."""
        starts, ends = starts.astype(np.int64), ends.astype(np.int64)
        if not len(starts):
            return np.empty(0, self.dtype)
        lengths = ends - starts
        gaps = starts[1:] - ends[:-1]
        cut = np.nonzero(gaps > MIN_GAP)[0]
        if lengths.sum() * 4 >= ends[-1] - starts[0]:  # most of the span: read it whole
            cut = cut[:0]
        elif len(cut) >= MAX_READS:
            largest = np.argpartition(gaps[cut], -(MAX_READS - 1))[-(MAX_READS - 1) :]
            cut = np.sort(cut[largest])
        first = np.concatenate(([0], cut + 1))  # each read's first range
        last = np.concatenate((cut, [len(starts) - 1]))  # and its last
        read_from, read_to = starts[first], ends[last]
        buffer = np.concatenate([self.read(a, b) for a, b in zip(read_from, read_to, strict=True)])
        into = np.concatenate(([0], np.cumsum(read_to - read_from)[:-1]))  # reads in buffer
        which = np.repeat(np.arange(len(first)), last - first + 1)  # each range's read
        at = starts - read_from[which] + into[which]
        return buffer[spans(at, lengths)]


class Keys:
    """Sorted 64-bit keys (a word pair: first word << 32 | second), memory-mapped."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, key: int) -> int:
        index = int(np.searchsorted(self.keys, np.uint64(key)))
        return index if index < len(self.keys) and int(self.keys[index]) == key else -1


@dataclass
class FieldPostings:
    """One field's postings: word -> (documents, term frequencies[, positions])."""

    lexicon: Lexicon | Keys
    starts: np.ndarray  # int64[words + 1] into docs and tf
    docs: DiskArray  # uint32, local document numbers, ascending within a word
    tf: DiskArray  # uint16 where positions follow it, else uint8 (at most 255)
    positions: DiskArray | None = None  # uint32, the body's positions, in posting order
    position_starts: np.ndarray | None = None  # int64[words + 1] into positions

    def word(self, text) -> int:
        return self.lexicon.find(text)

    def df(self, index: int) -> int:
        """Documents holding the word, deleted ones included (as Whoosh counts them)."""
        return int(self.starts[index + 1] - self.starts[index])

    def postings(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.starts[index], self.starts[index + 1]
        return self.docs.read(start, end), self.tf.read(start, end)

    def occurrences(self, index: int, wanted: np.ndarray) -> np.ndarray:
        """Every occurrence of word ``index`` in the ``wanted`` documents (sorted, all
        holding the word) as ``doc << 32 | position``: ascending, like the postings."""
        docs, tf = self.postings(index)
        at = np.searchsorted(docs, wanted)  # each wanted document's posting
        counts = tf[at].astype(np.int64)
        within_word = np.concatenate(([0], np.cumsum(tf, dtype=np.int64)[:-1]))
        first = self.position_starts[index] + within_word[at]
        # Only the wanted postings' positions are read, not all of the word's.
        positions = self.positions.gather(first, first + counts).astype(np.int64)
        return (np.repeat(wanted.astype(np.int64), counts) << 32) | positions


def spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indexes ``starts[i], starts[i] + 1, …`` of each span, concatenated."""
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + offsets


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values two ascending arrays of distinct values share, without sorting again."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


@dataclass
class SegmentArrays:
    """Everything the search reads of one segment, memory-mapped."""

    folder: Path
    size: int
    fields: dict[str, FieldPostings]
    lengths: dict[str, np.ndarray]  # field -> float32[size], as Whoosh decodes them
    field_totals: dict[str, int]  # field -> sum of lengths, deleted documents included
    pairs: FieldPostings  # keyed by (first word << 32 | second word)
    date_keys: np.ndarray  # int32[size], YYYYMMDD, 0 when unknown
    report_ids: np.ndarray  # int64[size]
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]]  # values, starts, docs
    spelling: Lexicon
    deletions: np.ndarray  # uint64 hashes of words less one letter, sorted
    deletion_words: np.ndarray  # int32, the word each hash came from
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> "SegmentArrays":
        meta = json.loads((folder / DONE).read_text())

        def array(name):
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        def on_disk(name):
            return DiskArray(folder / f"{name}.npy")

        def lexicon(name):
            return Lexicon((folder / f"{name}.words").read_bytes(), array(f"{name}.offsets"))

        fields = {}
        for name in meta["fields"]:
            positional = name in meta["positional"]
            fields[name] = FieldPostings(
                lexicon(name),
                array(f"{name}.starts"),
                on_disk(f"{name}.docs"),
                on_disk(f"{name}.tf"),
                on_disk(f"{name}.positions") if positional else None,
                array(f"{name}.position_starts") if positional else None,
            )
        pairs = FieldPostings(
            Keys(array("pairs.keys")),
            array("pairs.starts"),
            on_disk("pairs.docs"),
            on_disk("pairs.tf"),
        )
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
            lengths={name: np.load(folder / f"{name}.lengths.npy") for name in meta["fields"]},
            field_totals=meta["field_totals"],
            pairs=pairs,
            date_keys=array("date_keys"),
            report_ids=array("report_ids"),
            facets=facets,
            spelling=lexicon("spelling"),
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


def pair_key(first: int, second: int) -> int:
    return (first << 32) | second


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (Python's own differs between processes)."""
    return int.from_bytes(_blake(word.encode()), "little")


def _blake(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=8).digest()
