"""The archive's one search function: ``search(ArchiveQuery) -> ArchiveResults``.

Pages, feeds and any API call this and nothing else. The engine behind it is
haystack's configured backend; the archive's Whoosh backend answers
``archive_search`` directly. Everything shown to readers is re-read from the
database through ``Report.objects.published()``.
"""

import datetime
import math
from dataclasses import dataclass, field, replace

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..facets import FACETS
from ..models import Report
from ..names import vocabulary
from ..search_backend import engine
from . import did_you_mean as suggestions
from .visibility import VisibleTerms

PER_PAGE = 20
PER_PAGE_CHOICES = (20, 50, 100)  # what readers may ask for (``per_page``)
MAX_QUERY_LENGTH = 500
SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class ArchiveQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    exact: bool = False  # the words as typed: no other names, no corrections
    without: tuple[str, ...] = ()  # other names the reader took out of the search
    means: tuple[str, ...] = ()  # "facet:slug": the meaning chosen for a shared name
    at_the_time: bool = False  # a renamed body's names only in reports of their years

    def __post_init__(self):
        unknown = set(self.filters) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facet(s): {', '.join(sorted(unknown))}")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort “{self.sort}”")
        if len(self.text) > MAX_QUERY_LENGTH:
            raise ValueError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
        if self.page < 1 or self.per_page < 1:
            raise ValueError("pages are numbered from 1")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    parent: str | None = None


@dataclass
class ArchiveResults:
    query: ArchiveQuery
    reports: list[Report]
    total: int
    facets: dict[str, list[FacetValue]]
    histogram: list[tuple[str, int]]
    suggestion: str | None = None  # a corrected query that has results ("Did you mean")
    also_searched: list[str] = field(default_factory=list)  # other names of terms named
    notices: list[str] = field(default_factory=list)  # parts of the query left out or cut
    # When nothing matched and a correction clearly did: the text the reader typed
    # (the results are the correction's).
    corrected_from: str | None = None
    # When few reports hold every word: reports holding most of them.
    partial: list[Report] = field(default_factory=list)
    understood: bool = False  # the query names a term the vocabulary knows
    meanings: list = field(default_factory=list)  # vocabulary.Meaning: names of several terms
    renamed: bool = False  # a body named was renamed: "as named at the time" applies
    # (row facet, column facet) -> (row value, column value) -> count, when asked for
    cross: dict = field(default_factory=dict)
    # The words and phrases the engine matched, as it holds them (for ``mark``).
    terms: list = field(default_factory=list)
    # facet -> value -> results holding it and nothing inside it (a tree's), when asked for
    own: dict = field(default_factory=dict)
    # report id -> the passage matched, words in <mark> (HTML-safe): of ``reports`` and
    # of ``partial``
    snippets: dict[int, SafeString] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def undated(self) -> int:
        """Results with no known year: the histogram cannot show them, so it says so."""
        return self.total - sum(count for _, count in self.histogram)


def search(
    query: ArchiveQuery,
    disjunctive: bool = True,
    suggest: bool = True,
    cross: tuple = (),
    own: tuple[str, ...] = (),
    visible: VisibleTerms | None = None,
) -> ArchiveResults:
    """Run a query. ``disjunctive`` facet counts leave out each facet's own selection.

    A query naming a region, agency or topic by any of its names is widened
    to all of them (see ``archive.names.vocabulary``). With ``suggest`` (pages that
    show it), a misspelt query gets a correction that has results, and a query
    whose words together match few reports gets the reports matching most of
    them; feeds and exports leave both out. ``cross`` asks for counts of pairs
    of facet values within the results, e.g. ``(("region", "agency"),)``, counted
    as the facets are; ``own`` asks, for tree facets, how many results hold each
    value and nothing inside it (a map's provinces). ``visible``: the request's, when
    it has one (see ``VisibleTerms``).
    """
    visible = visible or VisibleTerms()
    results = _run(query, disjunctive, visible, cross, own)
    if suggest and query.text.strip() and not results.understood:
        correction = _correction(query, results.total, visible)
        if correction is not None:
            results.suggestion = correction.text
            if correction.show_instead and not query.exact:
                corrected = replace(query, text=correction.text)
                shown = _run(corrected, disjunctive, visible, cross, own)
                shown.query, shown.suggestion = query, correction.text
                shown.corrected_from = query.text
                return shown
    if suggest and query.text.strip() and results.total < FEW and query.page == 1:
        shown = {r.pk for r in results.reports}
        results.partial, snippets = _most_words(query, visible.awaiting_removal, shown)
        results.snippets.update(snippets)
    return results


FEW = 3  # fewer results than this: offer reports that match most of the words


def _correction(query: ArchiveQuery, total: int, visible: VisibleTerms):
    backend = engine()
    names = vocabulary.current()

    def hits(text: str) -> int:
        return result_count(replace(query, text=text), visible)

    return suggestions.correct(
        query.text,
        total,
        spelling=lambda words: backend.spelling_candidates(words, visible.awaiting_removal),
        near_names=lambda word: names.near(word, visible),
        hits=hits,
    )


def result_count(query: ArchiveQuery, visible: VisibleTerms | None = None) -> int:
    """How many results a query has, as its search page would say: the same search
    without the facets, years and page (a count shown beside other results)."""
    raw, _ = _answer(query, True, visible or VisibleTerms(), counts=False)
    return raw.total


def _run(
    query: ArchiveQuery, disjunctive: bool, visible: VisibleTerms, cross=(), own=()
) -> ArchiveResults:
    backend = engine()
    raw, expansion = _answer(query, disjunctive, visible, cross, own)
    reports = _published(raw.ids)
    facet_values = {
        name: _facet_values(
            name, raw.facets.get(facet.index_field, {}), query.filters.get(name, ())
        )
        for name, facet in FACETS.items()
    }
    return ArchiveResults(
        query,
        reports,
        raw.total,
        facet_values,
        sorted(raw.histogram.items()),
        also_searched=expansion.also_searched if expansion else [],
        notices=raw.notices,
        # A name the vocabulary knows is understood, not misspelt.
        understood=bool(expansion and (expansion.terms or expansion.meanings)),
        meanings=expansion.meanings if expansion else [],
        renamed=bool(expansion and expansion.renamed),
        cross={
            (a, b): raw.cross.get((FACETS[a].index_field, FACETS[b].index_field), {})
            for a, b in cross
        },
        terms=list(raw.terms),
        own={name: raw.own.get(FACETS[name].index_field, {}) for name in own},
        snippets={r.pk: _snippet(backend, r, raw.terms) for r in reports},
    )


def _answer(
    query: ArchiveQuery,
    disjunctive: bool,
    visible: VisibleTerms,
    cross=(),
    own=(),
    counts: bool = True,
):
    """The engine's answer to a query widened by the vocabulary, and the widening."""
    backend = engine()
    expansion = None
    if query.text.strip() and not query.exact:
        expansion = vocabulary.current().expand(
            query.text,
            visible=visible,
            without=query.without,
            means=query.means,
            at_the_time=query.at_the_time,
        )
    raw = backend.archive_search(
        text=query.text,
        query_text=expansion.text if expansion else None,
        filters={FACETS[name].index_field: values for name, values in query.filters.items()},
        date_range=_date_range(query.date_from, query.date_to),
        sort=query.sort if counts else "newest",
        offset=(query.page - 1) * query.per_page if counts else 0,
        limit=query.per_page if counts else 0,
        disjunctive=disjunctive,
        exclude_ids=visible.awaiting_removal,
        cross=tuple((FACETS[a].index_field, FACETS[b].index_field) for a, b in cross),
        dated=_dated(backend, expansion.dated) if expansion else {},
        set_aside=_set_aside(expansion.meanings) if expansion else {},
        own={FACETS[name].index_field: _parents(name) for name in own},
        counts=counts,
    )
    return raw, expansion


def _parents(name: str) -> dict[str, str]:
    """A tree facet's values -> their parents' (from the vocabulary, read once a version)."""
    labels = vocabulary.current().labels.get(name, {})
    return {slug: parent for slug, (_, parent) in labels.items() if parent}


def _dated(backend, dated: dict) -> dict:
    """Names with the years they were in use, as the engine sees them: indexed words ->
    (first YYYYMMDD, last YYYYMMDD)."""
    return {
        backend.indexed_words(name): (
            first * 10000 + 101 if first else 1,
            last * 10000 + 1231 if last else 99991231,
        )
        for name, (first, last) in dated.items()
    }


def _set_aside(meanings) -> dict:
    """Index field -> (other meanings, chosen ones) of names whose meaning was chosen."""
    found: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for meaning in meanings:
        for facet, (others, kept) in meaning.set_aside().items():
            field_name = FACETS[facet].index_field
            before = found.get(field_name, ((), ()))
            found[field_name] = (before[0] + others, before[1] + kept)
    return found


def _published(ids: list[int]) -> list[Report]:
    # In the engine's order: the reports' own ordering would only cost time.
    by_id = Report.objects.published().select_related("source").order_by().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _most_words(
    query: ArchiveQuery, awaiting_removal, shown: set[int]
) -> tuple[list[Report], dict[int, SafeString]]:
    """Reports holding most (not all) of a query's words, best first, with their
    snippets."""
    words = suggestions.plain_words(query.text)
    if len(words) < 2:
        return [], {}
    raw = engine().archive_search(
        text=" ".join(words),
        filters={FACETS[name].index_field: values for name, values in query.filters.items()},
        date_range=_date_range(query.date_from, query.date_to),
        limit=PARTIAL + len(shown),
        disjunctive=False,
        exclude_ids=awaiting_removal,
        match="any",
    )
    reports = [r for r in _published(raw.ids) if r.pk not in shown][:PARTIAL]
    return reports, {r.pk: _snippet(engine(), r, raw.terms) for r in reports}


PARTIAL = 5


def _date_range(start: datetime.date | None, end: datetime.date | None):
    if start is None and end is None:
        return None

    def key(date: datetime.date) -> int:
        return date.year * 10000 + date.month * 100 + date.day

    return (key(start) if start else 1, key(end) if end else 99991231)


def _snippet(backend, report: Report, terms: list[str]) -> SafeString:
    text = "\n".join(filter(None, [report.dek, report.body]))
    highlighted = backend.highlight(text, terms) if terms else ""
    if highlighted:
        return mark_safe(highlighted)
    return escape(report.dek or " ".join(report.body.split()[:40]) + " …")


def _facet_values(name: str, counts: dict[str, int], selected: tuple[str, ...]):
    facet = FACETS[name]
    slugs = set(counts) | set(selected)
    if facet.choices:
        labels = {slug: (str(label), None) for slug, label in facet.choices}
    elif facet.model is None:
        labels = {slug: (slug, None) for slug in slugs}
    else:
        labels = vocabulary.current().labels.get(name, {})
    values = [
        FacetValue(
            value=slug,
            label=vocabulary.shown_name(name, slug, labels[slug][0])
            if facet.model
            else labels[slug][0],
            count=counts.get(slug, 0),
            selected=slug in selected,
            parent=labels[slug][1],
        )
        for slug in slugs
        if slug in labels  # a slug no longer in the vocabulary is not shown
    ]
    if facet.model is None and not facet.choices:  # dates: the latest first
        return sorted(values, key=lambda v: v.value, reverse=True)
    # The slug last: places that share a name and a count (two Unsan Counties) keep an order.
    return sorted(values, key=lambda v: (-v.count, v.label, v.value))
