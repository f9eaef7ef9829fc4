"""Grids of a search: regions down the side, agencies or years across, counts in cells.

Counts are the search's ``cross`` counts (``search(..., cross=GRIDS)``), counted
as facets are: a cell's count is the total of the search its link runs, the
search narrowed to its row and column. Provinces open into their places with
the ``open`` parameter, so every state of a grid is a plain URL.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ...facets import AGENCY, REGION, YEAR
from ...names import vocabulary
from ...search.links import url_with
from ...search.running import ArchiveResults

GRIDS = ((REGION.name, AGENCY.name), (REGION.name, YEAR.name))
MOST_COLUMNS = 15  # agencies across; the rest are named as left out
SHADES = 6  # 0 (none) to 5 (the largest count)
TITLES = {AGENCY.name: _("Reports by place and agency"), YEAR.name: _("Reports by place and year")}
NONE_LABELS = {AGENCY.name: _("No agency"), YEAR.name: _("Undated")}


@dataclass
class Cell:
    count: int
    url: str | None  # None for an empty cell, and for “no agency” or “undated”
    shade: int
    label: str  # what a screen reader hears for it: the row, the column and the count
    text: str  # as shown: the count, or nothing for none


@dataclass
class Row:
    value: str
    label: str
    count: int  # the region's facet count: its link's total
    url: str
    depth: int
    cells: list[Cell]
    toggle_url: str | None = None  # opens or closes its places
    open: bool = False

    @property
    def cells_html(self) -> SafeString:
        """The row's cells as HTML. Written here, not looped in the template: a grid
        has a thousand cells, and the template engine took a third of the page's time
        rendering them at 100,000 reports."""
        return mark_safe("".join(map(_cell_html, self.cells)))


@dataclass
class Column:
    value: str  # "" for the reports with none (no agency, undated)
    label: str


@dataclass
class Grid:
    title: str
    columns: list[Column]
    rows: list[Row]
    left_out: int = 0  # columns not shown


def narrowing(params: QueryDict, base: str = "") -> Callable[..., str]:
    """A maker of the URLs ``url_with(params, **changes)`` gives, for the thousand links
    of a grid or the hundreds of a map: what does not change is encoded once, and each
    changed value once."""
    encoded = {
        key: urlencode([(key, v) for v in values]) for key, values in params.lists() if values
    }
    encoded.pop("page", None)
    known: dict[tuple, str] = {}

    def url(**changes) -> str:
        parts = dict(encoded)
        for key, value in changes.items():
            if value is None:
                parts.pop(key, None)
                continue
            found = known.get((key, *value))
            if found is None:
                found = known[(key, *value)] = urlencode([(key, v) for v in value])
            parts[key] = found
        return base + "?" + "&".join([parts[key] for key in sorted(parts)])

    return url


def grid(
    results: ArchiveResults,
    column: str,
    params: QueryDict,
    base: str = "",
    opened: tuple[str, ...] = (),
    within: str | None = None,
    here: QueryDict | None = None,
) -> Grid:
    """Regions by ``column`` (``agency`` or ``year``). ``opened``: provinces whose places
    are shown. ``within``: only this region and places inside it (its own page).
    ``here``: the parameters of the page showing the grid, for the links that open a
    province (the search's ``params`` when not given)."""
    counts = results.cross.get((REGION.name, column), {})
    regions = {v.value: v for v in results.facets.get(REGION.name, [])}
    columns = _columns(results, column, counts)
    left_out = 0
    if column == AGENCY.name and len(columns) > MOST_COLUMNS:
        columns, left_out = columns[:MOST_COLUMNS], len(columns) - MOST_COLUMNS
    # Shades run to the largest count below the countries and outside the "none" column,
    # which would dwarf the rest; larger counts take the darkest shade.
    labels = vocabulary.current().labels.get(REGION.name, {})
    inner = [c for (row, col), c in counts.items() if col and labels.get(row, ("", None))[1]]
    largest = max(inner or counts.values(), default=0) or 1
    here = params if here is None else here
    narrowed_to = narrowing(params, base)
    rows, shown = [], True
    for value, depth, has_children in _tree(regions, counts, within):
        if depth == 1:
            shown = value in opened
        elif depth > 1 and not shown:
            continue  # a place of a province not opened
        region = regions[value]
        cells = []
        for col in columns:
            count = counts.get((value, col.value), 0)
            url = None
            if count and col.value:
                narrowed = {REGION.name: [value], column: [col.value]}
                if column == YEAR.name:
                    narrowed["month"] = None
                url = narrowed_to(**narrowed)
            label = f"{region.label}, {col.label}: {count}"
            cells.append(Cell(count, url, _shade(count, largest), label, str(count or "")))
        row = Row(value, region.label, region.count, narrowed_to(region=[value]), depth, cells)
        if has_children and depth >= 1:
            row.open = value in opened
            others = [v for v in opened if v != value]
            now = others if row.open else [*others, value]
            row.toggle_url = url_with(here, open=now or None) + "#grid"
        rows.append(row)
    return Grid(
        str(TITLES[column]),
        columns,
        rows,
        left_out,
    )


def _columns(results: ArchiveResults, column: str, counts: dict) -> list[Column]:
    present = {v for _, v in counts}
    if column == YEAR.name:
        years = sorted(v for v in present if v)
        found = [Column(y, y) for y in years]
    else:
        order = [v for v in results.facets.get(column, []) if v.value in present]
        found = [Column(v.value, v.label) for v in order]
    if "" in present:
        found.append(Column("", str(NONE_LABELS[column])))
    return found


def _tree(regions: dict, counts: dict, within: str | None):
    """(value, depth, has children) for the rows, in tree order: countries, their
    provinces, and the places of each province (shown when it is opened)."""
    labels = vocabulary.current().labels.get(REGION.name, {})
    in_rows = {row for row, _ in counts} & set(regions)
    children: dict[str | None, list[str]] = {}
    for value in in_rows:
        parent = labels.get(value, ("", None))[1]
        children.setdefault(parent if parent in in_rows else None, []).append(value)
    top = [within] if within in in_rows else children.get(None, [])

    def walk(value, depth):
        kids = sorted(children.get(value, []), key=lambda v: (-regions[v].count, regions[v].label))
        yield value, depth, bool(kids)
        for kid in kids:
            yield from walk(kid, depth + 1)

    for value in sorted(top, key=lambda v: (-regions[v].count, regions[v].label)):
        yield from walk(value, 0)


def _cell_html(cell: Cell) -> str:
    if cell.url:
        inner = f'<a href="{escape(cell.url)}" aria-label="{escape(cell.label)}">{cell.text}</a>'
    else:
        inner = cell.text
    return f'<td class="shade-{cell.shade}">{inner}</td>'


def _shade(count: int, largest: int) -> int:
    if not count:
        return 0
    return max(1, min(SHADES - 1, round((count / largest) ** 0.5 * (SHADES - 1))))
