"""Turning search results into what templates loop over: links, trees, bars."""

from dataclasses import dataclass

from django.http import QueryDict

from .dates import MONTH_ABBREVIATIONS
from .forms import toggle, url_with
from .search import ArchiveResults, FacetValue

FACET_TITLES = {
    "region": "Region",
    "agency": "Agency",
    "topic": "Topic",
    "source": "Source",
    "year": "Year",
}
SHOWN_VALUES = 8
SHOWN_REGIONS = 25  # a tree cut in the middle reads badly: show more of it


@dataclass
class FacetLink:
    value: str
    label: str
    count: int
    selected: bool
    url: str
    depth: int = 0


@dataclass
class FacetBox:
    name: str
    title: str
    top: list[FacetLink]
    rest: list[FacetLink]


@dataclass
class Chip:
    label: str
    remove_url: str


@dataclass
class Bar:
    label: str
    count: int
    url: str
    x: float
    y: float
    width: float
    height: float
    selected: bool


def facet_boxes(results: ArchiveResults, params: QueryDict) -> list[FacetBox]:
    boxes = []
    for name, title in FACET_TITLES.items():
        values = results.facets.get(name, [])
        if name == "region":
            links = _tree(values, params)
        elif name == "year":
            links = _years_and_months(values, results.facets.get("month", []), params)
        else:
            links = [_link(name, v, params) for v in values]
        if not links:
            continue
        cut = SHOWN_REGIONS if name == "region" else SHOWN_VALUES
        # Never hide a chosen value behind "show all".
        while any(link.selected for link in links[cut:]) and cut < len(links):
            cut += 1
        boxes.append(FacetBox(name, title, links[:cut], links[cut:]))
    return boxes


def _link(name: str, value: FacetValue, params: QueryDict, depth: int = 0) -> FacetLink:
    url = toggle(params, name, value.value)
    return FacetLink(value.value, value.label, value.count, value.selected, url, depth)


def _tree(values: list[FacetValue], params: QueryDict) -> list[FacetLink]:
    """Regions nested under the larger regions they lie in, biggest counts first."""
    present = {v.value for v in values}
    children: dict[str | None, list[FacetValue]] = {}
    for value in values:
        parent = value.parent if value.parent in present else None
        children.setdefault(parent, []).append(value)
    links: list[FacetLink] = []

    def walk(parent, depth):
        for value in sorted(children.get(parent, []), key=lambda v: (-v.count, v.label)):
            links.append(_link("region", value, params, depth))
            walk(value.value, depth + 1)

    walk(None, 0)
    return links


def _years_and_months(years, months, params: QueryDict) -> list[FacetLink]:
    links = []
    chosen_years = set(params.getlist("year"))
    for year in sorted(years, key=lambda v: v.value, reverse=True):
        links.append(_link("year", year, params))
        if year.value in chosen_years:
            for month in sorted(months, key=lambda v: v.value):
                if month.value.startswith(year.value + "-"):
                    label = MONTH_ABBREVIATIONS[int(month.value[5:])]
                    month = FacetValue(month.value, label, month.count, month.selected)
                    links.append(_link("month", month, params, depth=1))
    return links


def chips(results: ArchiveResults, params: QueryDict) -> list[Chip]:
    found = []
    for name, values in results.query.filters.items():
        labels = {v.value: v.label for v in results.facets.get(name, [])}
        for value in values:
            label = f"{FACET_TITLES.get(name, 'Month')}: {labels.get(value, value)}"
            found.append(Chip(label, toggle(params, name, value)))
    if results.query.date_from:
        found.append(
            Chip(f"From {results.query.date_from:%b. %-d, %Y}", url_with(params, from_=None))
        )
    if results.query.date_to:
        found.append(Chip(f"To {results.query.date_to:%b. %-d, %Y}", url_with(params, to=None)))
    return found


def histogram(
    results: ArchiveResults, params: QueryDict, base: str = "", width=600, height=120
) -> list[Bar]:
    """Bars for the years of the current results; for one chosen year, its months."""
    chosen = results.query.filters.get("year", ())
    if len(chosen) == 1:
        counts = {
            v.value: v.count
            for v in results.facets.get("month", [])
            if v.value.startswith(chosen[0])
        }
        periods = [(f"{chosen[0]}-{m:02d}", MONTH_ABBREVIATIONS[m]) for m in range(1, 13)]
        name = "month"
    else:
        counts = dict(results.histogram)
        if not counts:
            return []
        first, last = int(min(counts)), int(max(counts))
        periods = [(str(y), str(y)) for y in range(first, last + 1)]
        name = "year"
    tallest = max(counts.values(), default=0) or 1
    slot = min(width / max(len(periods), 1), 48)  # a lone year is a bar, not a wall
    bars = []
    for index, (value, label) in enumerate(periods):
        count = counts.get(value, 0)
        bar_height = round(count / tallest * (height - 20), 1)
        bars.append(
            Bar(
                label=label,
                count=count,
                url=base + url_with(params, **{name: [value]}),
                x=round(index * slot + slot * 0.1, 1),
                y=round(height - 16 - bar_height, 1),
                width=round(slot * 0.8, 1),
                height=bar_height,
                selected=value in results.query.filters.get(name, ()),
            )
        )
    return bars


def undated_count(results: ArchiveResults) -> int:
    """Results with no known year: the histogram cannot show them, so it says so."""
    return results.total - sum(count for _, count in results.histogram)


def page_links(results: ArchiveResults, params: QueryDict) -> dict:
    page, last = results.query.page, results.num_pages

    def url(number):
        return url_with(params, drop=(), page=str(number) if number > 1 else None)

    numbers = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    return {
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < last else None,
        "pages": [(n, url(n), n == page) for n in numbers],
        "current": page,
        "last": last,
    }


def sort_links(params: QueryDict, current: str, has_text: bool) -> list[tuple[str, str, bool]]:
    sorts = [("relevance", "Relevance")] if has_text else []
    sorts += [("newest", "Newest"), ("oldest", "Oldest")]
    return [(label, url_with(params, sort=value), value == current) for value, label in sorts]
