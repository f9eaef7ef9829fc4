"""What the archive asks of a search engine, beyond haystack's own backend methods.

``archive.search.running``, ``archive.search.indexing``, the ``rebuild_search`` and
``reconcile_search`` commands and ``/health/`` call these methods and no
others. The Whoosh backend in this package implements them; a backend for
another engine (Elasticsearch, Solr) implements the same ``SearchEngine``
and is named in ``HAYSTACK_CONNECTIONS``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

REPORT_ID_PREFIX = "archive.report."


def identifier(report_id: int) -> str:
    """The id of a report's index entry (haystack's ``app.model.pk`` form)."""
    return f"{REPORT_ID_PREFIX}{report_id}"


class IndexBusy(Exception):
    """Another writer holds the index lock; the change stays queued."""


@dataclass
class RawResults:
    """What ``archive_search`` answers; ``archive.search.running`` makes pages and records."""

    total: int
    ids: list[int]  # report ids of the requested page, in order
    facets: dict[str, dict[str, int]]  # index field -> value -> count
    terms: list[str | tuple[str, ...]]  # to mark in snippets: words and phrases
    histogram: dict[str, int] = field(default_factory=dict)  # years, within the results
    notices: list[str] = field(default_factory=list)  # parts of the query left out or cut
    # (row field, column field) -> (row value, column value) -> count, within the results
    cross: dict[tuple[str, str], dict[tuple[str, str], int]] = field(default_factory=dict)
    # tree field -> value -> count of results holding it and nothing inside it
    own: dict[str, dict[str, int]] = field(default_factory=dict)


@runtime_checkable
class SearchEngine(Protocol):
    """The archive's search backend. Index entries are haystack documents of published
    reports; facet fields hold exact slugs."""

    def archive_search(
        self,
        text: str = "",
        query_text: str | None = None,
        filters: dict[str, tuple[str, ...]] | None = None,
        date_range: tuple[int, int] | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        disjunctive: bool = True,
        exclude_ids: tuple[int, ...] = (),
        match: str = "all",
        cross: tuple[tuple[str, str], ...] = (),
        dated: dict[tuple[str, ...], tuple[int, int]] | None = None,
        set_aside: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
        own: dict[str, dict[str, str]] | None = None,
        counts: bool = True,
    ) -> RawResults:
        """Match ``query_text`` (``text`` widened with other names; ``text`` when None),
        filter by facet values (OR within a field, AND across fields) and a date
        range of YYYYMMDD keys, count every facet field and the years, and
        return one page of report ids sorted by relevance, newest or oldest.

        ``disjunctive`` leaves each facet's own selection out of its counts.
        ``exclude_ids`` are reports still in the index that must not be seen
        (withdrawn, awaiting the indexer). ``match="any"`` finds reports holding
        any of the words, those holding most of them first. The work is bounded
        whatever the text: what was left out is said in ``notices``. ``cross``
        asks for counts of pairs of facet values within the results (rows by
        columns of a grid: regions by agencies, regions by years), counted like
        facets (with ``disjunctive``, without the two facets' own selections, so
        a cell's count is the total of the search narrowed to its row and column);
        a row value paired with "" counts results holding no column value.
        ``own`` maps a tree field to its values' parents and asks, for each value,
        how many results hold it and nothing inside it (counted like its facet). ``dated``
        limits a phrase or word of the query (as ``indexed_words`` gives it) to
        reports dated within a range of YYYYMMDD keys, or undated: a renamed
        body's names, each in the years it was in use. ``set_aside`` maps a facet
        field to (values, kept): reports holding one of the values and none of
        those kept are left out, counts included (the other meanings of a name
        whose meaning the reader chose). Without ``counts``, only ``total`` is
        answered (no ids, facets, years, cross or own counts): a number shown beside
        other results, at a fraction of the cost.
        """
        ...

    def spelling_candidates(
        self, words: list[str], exclude_ids: tuple[int, ...] = ()
    ) -> dict[str, list[str]]:
        """For each lower-case word that no live report holds, up to three near words
        that one does, nearest and commonest first (in bounded time)."""
        ...

    def indexed_words(self, text: str) -> tuple[str, ...]:
        """The words of a text as the index holds them (lower case, stemmed)."""
        ...

    def highlight(self, text: str, terms: list[str | tuple[str, ...]]) -> str:
        """An HTML-safe snippet of ``text`` with ``terms`` (from RawResults) in <mark>."""
        ...

    def mark(self, text: str, terms: list[str | tuple[str, ...]]) -> str:
        """The whole of ``text``, HTML-safe, with ``terms`` (from RawResults) in <mark>."""
        ...

    def similar(self, report_id: int, text: str, limit: int = 5) -> list[tuple[int, float]]:
        """(report id, likeness from 0 to 1) of the indexed reports most like this one by
        their distinctive words, best first."""
        ...

    def present_values(
        self, fields: Iterable[str], exclude_ids: tuple[int, ...] = ()
    ) -> dict[str, set[str]]:
        """For each facet field, the values at least one live entry holds."""
        ...

    def document_count(self) -> int:
        """Live entries in the index."""
        ...

    def indexed_stamps(self) -> dict[int, str]:
        """Report id -> the fingerprint stored with its entry, for reconciling."""
        ...

    def write(self, index: Any, updates: list, deletes: list[int]) -> None:
        """Replace the entries of ``updates`` (report objects) and remove those of the
        report ids in ``deletes``, in one commit; raise IndexBusy if locked."""
        ...

    def build_generation(
        self, index: Any, objects: Iterable, progress: Callable[[int], None] | None = None
    ) -> Any:
        """Write every object into a new index beside the live one; return a handle."""
        ...

    def switch_to(self, generation: Any) -> None:
        """Make a built generation the live index, atomically for readers."""
        ...

    def close(self) -> None:
        """Release open searchers and files (e.g. before the index folder goes away)."""
        ...


def engine() -> SearchEngine:
    """The configured search backend (``HAYSTACK_CONNECTIONS["default"]``)."""
    from haystack import connections

    return connections["default"].get_backend()
