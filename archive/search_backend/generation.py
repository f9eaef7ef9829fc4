"""One open index generation: its segments' arrays, seen as one numbering of documents.

Built when the index changes (a commit or a rebuild): cheap, because each
segment's arrays were written once, beside it, and are memory-mapped here.
What is per document (live, dates, report ids, facets) is joined across
segments; postings stay per segment and are read with an offset.
"""

from dataclasses import dataclass, field

import numpy as np

from .arrays import SegmentArrays, spans


@dataclass
class FacetTable:
    """One facet field across the generation: values, their documents, and tag pairs."""

    values: list[str]
    ids: dict[str, int]
    starts: np.ndarray  # int64[values + 1] into docs
    docs: np.ndarray  # int64, global document numbers, grouped by value
    tagged_docs: np.ndarray  # int64, the same pairs: for counting over many documents
    tagged_values: np.ndarray  # int32
    doc_starts: np.ndarray  # int64[size + 1] into values_by_doc: for counting over few
    values_by_doc: np.ndarray  # int32
    # Pairs worked out once for every document, by what they serve (see cross_counts)
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def docs_of(self, wanted) -> np.ndarray:
        chunks = [
            self.docs[self.starts[i] : self.starts[i + 1]]
            for i in (self.ids.get(value) for value in wanted)
            if i is not None
        ]
        return np.concatenate(chunks) if chunks else np.empty(0, np.int64)

    def tags_of(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, value id) of every tag of ``docs`` (ascending), grouped by document."""
        starts = self.doc_starts[docs]
        lengths = self.doc_starts[docs + 1] - starts
        return np.repeat(docs, lengths), self.values_by_doc[spans(starts, lengths)]

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        """Value -> how many documents of ``mask`` hold it (values held by none left out)."""
        docs = np.flatnonzero(mask)
        if len(docs) * 4 > len(mask):  # many: one pass over every tag
            held = self.tagged_values[mask[self.tagged_docs]]
        else:  # few: only their tags
            starts = self.doc_starts[docs]
            lengths = self.doc_starts[docs + 1] - starts
            held = self.values_by_doc[spans(starts, lengths)]
        found = np.bincount(held, minlength=len(self.values))
        return {self.values[i]: int(found[i]) for i in np.flatnonzero(found)}


@dataclass
class Generation:
    """Everything derived from one open searcher."""

    folder: str  # the generation folder the searcher reads
    searcher: object  # Whoosh's, for what the arrays do not hold (stored stamps)
    segments: list[SegmentArrays]
    offsets: list[int]  # the first global document number of each segment
    size: int
    live: np.ndarray  # bool[size]: not deleted
    date_keys: np.ndarray  # int32[size]
    rank: np.ndarray  # int64[size]: place in newest-first order (undated last)
    report_ids: np.ndarray  # int64[size]
    facets: dict[str, FacetTable]
    field_totals: dict[str, int]
    by_report: np.ndarray = field(default=None)  # docnums ordered by report id

    @classmethod
    def build(cls, folder: str, searcher, segments: list[SegmentArrays], deleted) -> "Generation":
        """``deleted``: for each segment, its deleted local document numbers."""
        offsets, size = [], 0
        for segment in segments:
            offsets.append(size)
            size += segment.size
        live = np.ones(size, dtype=bool)
        for offset, gone in zip(offsets, deleted, strict=True):
            if len(gone):
                live[offset + np.fromiter(gone, dtype=np.int64)] = False

        def joined(name, dtype):
            parts = [getattr(s, name) for s in segments]
            return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)

        date_keys = joined("date_keys", np.int32)
        report_ids = joined("report_ids", np.int64)
        # Newest first; undated last, the latest added first among them.
        docnums = np.arange(size)
        order = np.lexsort((-docnums, -date_keys.astype(np.int64), date_keys == 0))
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size)
        facets = {}
        names = segments[0].facets if segments else {}
        for name in names:
            parts = [(s.facets[name], o) for s, o in zip(segments, offsets, strict=True)]
            facets[name] = _facet_table(parts, size)
        totals = {}
        for segment in segments:
            for name, total in segment.field_totals.items():
                totals[name] = totals.get(name, 0) + total
        return cls(
            folder=folder,
            searcher=searcher,
            segments=segments,
            offsets=offsets,
            size=size,
            live=live,
            date_keys=date_keys,
            rank=rank,
            report_ids=report_ids,
            facets=facets,
            field_totals=totals,
            by_report=np.argsort(report_ids, kind="stable"),
        )

    def docnums_of_reports(self, report_ids) -> np.ndarray:
        """The documents of these reports (live or not), as global numbers."""
        wanted = np.asarray(list(report_ids), dtype=np.int64)
        if not len(wanted) or not self.size:
            return np.empty(0, np.int64)
        ordered = self.report_ids[self.by_report]
        left = np.searchsorted(ordered, wanted, side="left")
        right = np.searchsorted(ordered, wanted, side="right")
        found = [self.by_report[a:b] for a, b in zip(left, right, strict=True) if b > a]
        return np.concatenate(found) if found else np.empty(0, np.int64)

    def date_range(self, start: int, end: int) -> np.ndarray:
        keys = self.date_keys
        return (keys >= start) & (keys <= end) & (keys != 0)

    def avg_length(self, field_name: str) -> float:
        return (self.field_totals.get(field_name, 0) / self.size) if self.size else 1.0


def cross_counts(rows: FacetTable, columns: FacetTable, mask: np.ndarray) -> dict:
    """(row value, column value) -> documents of ``mask`` holding both (none left out);
    (row value, "") -> those holding the row value and no column value (undated reports
    in a region-by-year grid).

    Every document's pairs are worked out once per generation (a region-by-agency
    grid: every region of a report meets every agency of it); a search counts those
    of its documents, in one pass.
    """
    key = ("cross", id(columns))
    if key not in rows.derived:
        rows.derived[key] = _cross_pairs(rows, columns)
    pair_docs, pairs, none_docs, none_values = rows.derived[key]
    width = len(columns.values)
    tally = np.bincount(pairs[mask[pair_docs]], minlength=len(rows.values) * width)
    none = np.bincount(none_values[mask[none_docs]], minlength=len(rows.values))
    found = {(rows.values[v], ""): int(none[v]) for v in np.flatnonzero(none).tolist()}
    held = np.flatnonzero(tally)
    row_ids, column_ids = np.divmod(held, width)
    row_names = [rows.values[i] for i in row_ids.tolist()]
    column_names = [columns.values[i] for i in column_ids.tolist()]
    found.update(zip(zip(row_names, column_names, strict=True), tally[held].tolist(), strict=True))
    return found


def _cross_pairs(rows: FacetTable, columns: FacetTable) -> tuple:
    """For every document: (document, row id * columns + column id) of each pair of its
    tags, and (document, row id) of its row tags when it has no column tag."""
    docs = np.arange(len(rows.doc_starts) - 1)
    row_docs, row_values = rows.tags_of(docs)
    column_docs, column_values = columns.tags_of(docs)
    alone = columns.doc_starts[row_docs + 1] == columns.doc_starts[row_docs]
    # Each row tag is repeated once for each column tag of its document.
    column_start = np.searchsorted(column_docs, row_docs, side="left")
    repeats = np.searchsorted(column_docs, row_docs, side="right") - column_start
    expanded_rows = np.repeat(row_values, repeats).astype(np.int64)
    expanded_columns = column_values[spans(column_start, repeats)]
    pairs = expanded_rows * len(columns.values) + expanded_columns
    return np.repeat(row_docs, repeats), pairs, row_docs[alone], row_values[alone]


def own_counts(table: FacetTable, parents: dict[str, str], mask: np.ndarray) -> dict:
    """Value -> documents of ``mask`` holding it and none of the values inside it.

    A tree field holds each tag with its ancestors (a report about Hyesan also
    holds Ryanggang): this counts a province's reports placed no more precisely
    than the province, for a map that puts them at the province's centre. Which
    tags are a document's own is worked out once per generation and tree.
    """
    key = ("own", hash(tuple(sorted(parents.items()))))
    if key not in table.derived:
        table.derived[key] = _own_tags(table, parents)
    own_docs, own_values = table.derived[key]
    found = np.bincount(own_values[mask[own_docs]], minlength=len(table.values))
    return {table.values[i]: int(found[i]) for i in np.flatnonzero(found)}


def _own_tags(table: FacetTable, parents: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """(document, value id) of every tag no other tag of its document lies inside."""
    tag_docs, tag_values = table.tags_of(np.arange(len(table.doc_starts) - 1))
    parent_of = np.full(len(table.values), -1, dtype=np.int64)
    for value, parent in parents.items():
        if value in table.ids and parent in table.ids:
            parent_of[table.ids[value]] = table.ids[parent]
    width = len(table.values)
    keys = tag_docs * width + tag_values
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        keys, tag_docs, tag_values = keys[order], tag_docs[order], tag_values[order]
    # Each tag with a parent marks its parent's tag in the same document as enclosing.
    held_parents = parent_of[tag_values]
    inner = held_parents >= 0
    wanted = tag_docs[inner] * width + held_parents[inner]
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    enclosing = np.zeros(len(keys), dtype=bool)
    if len(keys):
        enclosing[at[keys[at] == wanted]] = True
    return tag_docs[~enclosing], tag_values[~enclosing]


def _facet_table(parts, size: int) -> FacetTable:
    values = sorted({v for (segment_values, _, _), _ in parts for v in segment_values})
    ids = {value: i for i, value in enumerate(values)}
    tagged_docs, tagged_values = [], []
    for (segment_values, starts, docs), offset in parts:
        counts = np.diff(starts)
        local_ids = np.array([ids[v] for v in segment_values], dtype=np.int32)
        tagged_values.append(np.repeat(local_ids, counts))
        tagged_docs.append(docs.astype(np.int64) + offset)
    tagged_docs = np.concatenate(tagged_docs) if tagged_docs else np.empty(0, np.int64)
    tagged_values = np.concatenate(tagged_values) if tagged_values else np.empty(0, np.int32)
    by_value = np.lexsort((tagged_docs, tagged_values))
    grouped_docs = tagged_docs[by_value]
    starts = np.zeros(len(values) + 1, dtype=np.int64)
    starts[1:] = np.cumsum(np.bincount(tagged_values, minlength=len(values)))
    by_doc = np.argsort(tagged_docs, kind="stable")
    doc_starts = np.zeros(size + 1, dtype=np.int64)
    doc_starts[1:] = np.cumsum(np.bincount(tagged_docs, minlength=size))
    return FacetTable(
        values,
        ids,
        starts,
        grouped_docs,
        tagged_docs,
        tagged_values,
        doc_starts,
        tagged_values[by_doc],
    )
