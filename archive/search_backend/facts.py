"""What the search derives from the index once per segment and per generation."""

from dataclasses import dataclass, field

from . import bitsets

SORT_FIELD = "date_key"


@dataclass
class SegmentFacts:
    """What one immutable segment contributes; its deletions are applied later."""

    size: int
    facets: dict[str, dict[str, int]]
    date_keys: list[int]
    lengths: list[int]  # of the content field, for scoring without a column read per hit


@dataclass
class Generation:
    """Everything derived from one open searcher."""

    folder: str  # the generation folder the searcher reads
    searcher: object
    size: int
    live: int
    facets: dict[str, dict[str, int]]
    date_keys: list[int]
    newest_first: list[int]
    rank: list[int]
    range_cache: dict = field(default_factory=dict)

    def date_range(self, start: int, end: int) -> int:
        key = (start, end)
        if key not in self.range_cache:
            if len(self.range_cache) > 64:
                self.range_cache.clear()
            keys = self.date_keys
            self.range_cache[key] = bitsets.from_ids(
                (d for d in range(self.size) if start <= keys[d] <= end and keys[d]),
                self.size,
            )
        return self.range_cache[key]


def segment_facts(reader, content_field: str, facet_fields: tuple[str, ...]) -> SegmentFacts:
    size = reader.doc_count_all()
    facets = {}
    for name in facet_fields:
        values = {}
        if name in reader.schema:
            for term in reader.lexicon(name):
                ids = reader.postings(name, term).all_ids()
                values[term.decode("utf-8")] = bitsets.from_ids(ids, size)
        facets[name] = values
    if reader.has_column(SORT_FIELD):
        column = reader.column_reader(SORT_FIELD)
        date_keys = [int(column[d] or 0) for d in range(size)]
    else:
        date_keys = [0] * size
    lengths = [reader.doc_field_length(d, content_field, 1) for d in range(size)]
    return SegmentFacts(size, facets, date_keys, lengths)


def oldest_first(order: list[int], date_keys: list[int]) -> list[int]:
    """Known dates oldest first, unknown dates still last."""
    known = [d for d in order if date_keys[d]]
    return known[::-1] + [d for d in order if not date_keys[d]]
