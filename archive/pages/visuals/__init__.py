"""What the map, the grids and the timelines add to a page's context.

Each page runs its one search with ``own=OWN`` (the map) and, where it shows
grids, ``cross=GRIDS``; these functions only arrange what that search counted.
"""

from django.http import QueryDict

from ...facets import REGION, YEAR
from ...search.form import Display
from ...search.links import url_with
from ...search.running import ArchiveResults
from .grids import GRIDS, grid
from .maps import search_map
from .timelines import renaming_marks

OWN = (REGION.name,)


def for_search(display: Display, results: ArchiveResults, params: QueryDict) -> dict:
    """``map``; with ``?view=grid``, ``grids``; ``grid_url`` or ``list_url`` to switch."""
    context = {"map": search_map(results, params)}
    years = results.query.filters.get(YEAR.name, ())
    if len(years) == 1:  # the timeline shows that year's months
        context["months_of"] = years[0]
        context["years_url"] = url_with(params, year=None, month=None)
    if display.grid:
        here = params.copy()
        here["view"] = "grid"
        context["grids"] = [
            grid(results, column, params, opened=display.opened, here=here) for _, column in GRIDS
        ]
        context["list_url"] = url_with(params)
    else:
        context["grid_url"] = url_with(params, view="grid") + "#grid"
    return context


def for_home(results: ArchiveResults, base: str) -> dict:
    return {"map": search_map(results, QueryDict(), base=base)}


def term_grids(facet) -> tuple:
    """The grids a term's page shows: not those across its own facet (a cell would
    have to narrow to another term of it and to this one at once)."""
    return tuple((row, column) for row, column in GRIDS if column != facet.name)


def for_term(display: Display, results, facet, term, params: QueryDict, base: str, bars) -> dict:
    """A term's map, grids and renamings; on a region's page only places inside it."""
    within = term.slug if facet.name == REGION.name else None
    return {
        "map": search_map(results, params, base=base, within=within),
        "grids": [
            grid(results, column, params, base, display.opened, within, here=QueryDict())
            for _, column in term_grids(facet)
        ],
        "marks": renaming_marks(term, bars),
    }
