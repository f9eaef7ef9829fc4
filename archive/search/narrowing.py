"""What narrowing by a term leaves out: the reports that name it without being tagged.

A facet filter keeps the reports *tagged* with a term (the default, and what the
facet counts, term pages, grids and their links count). A report may name the
term and not (yet) carry its tag: an import tags only what it is sure of. So a
narrowed search says how many of the reports tagged with the term or naming it
it shows, and links to them all (the filter taken off, the term's name searched
with every other name of it). One more search a chosen value, three at most.
"""

from dataclasses import dataclass, replace

from django.http import QueryDict

from ..facets import ALIASED
from ..names.types import name_words
from ..names.vocabulary import current
from .links import url_with
from .running import ArchiveQuery, ArchiveResults, result_count
from .visibility import VisibleTerms

CHECKED = 3  # chosen values looked at, at most
NAMED = {facet.name for facet in ALIASED if facet.suggested}


@dataclass(frozen=True)
class NamedToo:
    """A chosen term that some reports name without carrying its tag."""

    facet: str
    label: str
    tagged: int  # the results shown: tagged with it (and all else asked)
    only_named: int  # reports matching all else asked that name it, untagged
    url: str  # the search for every report naming it (the filter taken off)


def named_too(
    results: ArchiveResults, params: QueryDict, visible: VisibleTerms | None = None
) -> list[NamedToo]:
    """For each chosen term of a named kind, how many more reports name it without
    its tag, when some do."""
    query, found = results.query, []
    chosen = [(f, v) for f, values in query.filters.items() if f in NAMED for v in values]
    for facet, value in chosen[:CHECKED]:
        entry = current().resolve(facet, value, visible)
        if entry is None:
            continue
        text = _naming(query.text, entry.name, results.also_searched)
        rest = {
            f: tuple(v for v in vs if (f, v) != (facet, value)) for f, vs in query.filters.items()
        }
        only = _untagged(
            replace(query, text=text), {f: vs for f, vs in rest.items() if vs}, visible
        )
        if only:
            remaining = params.copy()
            remaining.setlist(facet, [v for v in params.getlist(facet) if v != value])
            url = url_with(remaining, q=text, page=None)
            found.append(NamedToo(facet, entry.name, results.total, only, url))
    return found


def _untagged(query: ArchiveQuery, without: dict, visible=None) -> int:
    """Reports the query's text finds without its filter on the term, less those with it
    (two counts, not searches: no facets, years or page)."""
    named = result_count(replace(query, filters=without), visible)
    return max(0, named - result_count(query, visible))


def _naming(text: str, name: str, also_searched) -> str:
    """The search text that also finds the term by any of its names."""
    if name in also_searched or name_words(name) == name_words(text):
        return text
    return f'{text} "{name}"'.strip()


def only_named(facet: str, term) -> int:
    """Published reports naming the term by one of its names but not tagged with it (a
    term page's second count)."""
    if facet not in NAMED:
        return 0
    query = ArchiveQuery(text=f'"{term.name}"', filters={facet: (term.slug,)})
    return _untagged(query, {})
