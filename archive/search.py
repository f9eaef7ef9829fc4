"""The archive's one search function: ``search(ArchiveQuery) -> ArchiveResults``.

Pages, feeds and any API call this and nothing else. The engine behind it is
haystack's configured backend; the archive's Whoosh backend answers
``archive_search`` directly. Everything shown to readers is re-read from the
database through ``Report.objects.published()``.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import vocabulary
from .facets import ALIASED, FACETS
from .models import IndexChange, Report
from .search_backend import engine

PER_PAGE = 20
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
    suggestion: str | None
    also_searched: list[str] = field(default_factory=list)  # other names of terms named

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


def search(query: ArchiveQuery, disjunctive: bool = True) -> ArchiveResults:
    """Run a query. ``disjunctive`` facet counts leave out each facet's own selection.

    A query naming a region, agency or topic by any of its names is widened
    to all of them (see ``archive.vocabulary``).
    """
    backend = engine()
    awaiting_removal = _awaiting_removal()
    expansion = None
    if query.text.strip():
        visible = VisibleTerms(awaiting_removal)
        expansion = vocabulary.current().expand(query.text, visible=visible)
    raw = backend.archive_search(
        text=query.text,
        query_text=expansion.text if expansion else None,
        filters={FACETS[name].index_field: values for name, values in query.filters.items()},
        date_range=_date_range(query.date_from, query.date_to),
        sort=query.sort,
        offset=(query.page - 1) * query.per_page,
        limit=query.per_page,
        disjunctive=disjunctive,
        exclude_ids=awaiting_removal,
        # A name the vocabulary knows is understood, not misspelt.
        suggest=not (expansion and expansion.terms),
    )
    by_id = Report.objects.published().select_related("source").in_bulk(raw.ids)
    reports = [by_id[pk] for pk in raw.ids if pk in by_id]
    for report in reports:
        report.snippet = _snippet(backend, report, raw.terms)
    facet_values = {
        name: _facet_values(
            name, raw.facets.get(facet.index_field, {}), query.filters.get(name, ())
        )
        for name, facet in FACETS.items()
    }
    histogram = sorted(raw.histogram.items())
    also_searched = expansion.also_searched if expansion else []
    return ArchiveResults(
        query, reports, raw.total, facet_values, histogram, raw.suggestion, also_searched
    )


class VisibleTerms:
    """Which terms readers may see named: those published reports carry, and the reference.

    A term counts as public when published reports carry it (read from the
    search index, where a region counts when a place inside it is tagged),
    or when it is in the curated reference vocabulary (``Term.reference``,
    such as the gazetteer's places). Unpublished reports never count either
    way: tagging a draft with a reference term changes nothing a reader sees,
    and a term an editor makes for a draft stays private until a report
    using it is published. Call it with a vocabulary entry.
    """

    fields = {facet.name: facet.index_field for facet in ALIASED}

    def __init__(self, awaiting_removal: tuple[int, ...] | None = None):
        self.awaiting_removal = awaiting_removal  # read when first needed, if not given
        self.present: dict[str, set[str]] | None = None  # read when first needed
        self.reference: dict[str, set[int]] = {}  # primary keys, by facet, when needed

    def __call__(self, entry) -> bool:
        if self.present is None:
            if self.awaiting_removal is None:
                self.awaiting_removal = _awaiting_removal()
            self.present = engine().present_values(self.fields.values(), self.awaiting_removal)
        if entry.slug in self.present[self.fields[entry.facet]]:
            return True
        if entry.facet not in self.reference:
            terms = FACETS[entry.facet].model.objects.filter(reference=True)
            self.reference[entry.facet] = set(terms.values_list("pk", flat=True))
        return entry.pk in self.reference[entry.facet]


def _awaiting_removal() -> tuple[int, ...]:
    """Reports changed but not yet re-indexed that are no longer public.

    Between a withdrawal and the indexer's next batch (about a second), the
    index still holds the report; searches leave it out of every count.
    """
    pending = set(IndexChange.objects.pending().values_list("report_id", flat=True))
    if not pending:
        return ()
    public = set(Report.objects.published().filter(pk__in=pending).values_list("pk", flat=True))
    return tuple(pending - public)


def related(report: Report, limit: int = 5) -> list[Report]:
    """Published reports most like this one (none when it is not in the index)."""
    ids = engine().similar(report.pk, f"{report.headline}\n{report.body}", limit + 1)
    by_id = Report.objects.published().in_bulk([pk for pk in ids if pk != report.pk])
    return [by_id[pk] for pk in ids if pk in by_id][:limit]


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
    model = facet.model
    slugs = set(counts) | set(selected)
    labels, parents = {slug: slug for slug in slugs}, {}
    if model is not None:
        fields = ("slug", "name", "parent__slug") if facet.tree else ("slug", "name")
        rows = model.objects.filter(slug__in=slugs).values_list(*fields)
        labels = {row[0]: row[1] for row in rows}
        parents = {row[0]: row[2] for row in rows if facet.tree and row[2]}
    values = [
        FacetValue(
            value=slug,
            label=labels.get(slug, slug),
            count=counts.get(slug, 0),
            selected=slug in selected,
            parent=parents.get(slug),
        )
        for slug in slugs
        if slug in labels  # a slug no longer in the vocabulary is not shown
    ]
    if model is None:
        return sorted(values, key=lambda v: v.value, reverse=True)
    return sorted(values, key=lambda v: (-v.count, v.label))
