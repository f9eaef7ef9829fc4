"""Turning search results into what templates loop over: links, trees, bars, pages."""

import itertools
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import QueryDict
from django.urls import reverse
from django.utils.dates import MONTHS_AP
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..facets import FACETS, ON_CARDS, TERMS, fetch_terms
from ..models import Alias
from ..names import vocabulary
from ..search.links import toggle, url_with
from ..search.running import PER_PAGE, PER_PAGE_CHOICES, ArchiveResults, FacetValue, VisibleTerms

# The facets with a box of their own (months open inside the year box).
BOXES = tuple(name for name in FACETS if name != "month")
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
    note: str = ""  # e.g. “matched alias Bowibu”


@dataclass
class FacetBox:
    name: str
    title: str
    top: list[FacetLink]
    rest: list[FacetLink]
    findable: bool = False  # has a box to find a value by any of its names
    find: str = ""  # what the reader typed in it
    found: list[FacetLink] | None = None  # None when nothing was typed


@dataclass
class TermLink:
    label: str
    count: int
    url: str


@dataclass
class NameChoice:
    label: str
    url: str


@dataclass
class MeaningNote:
    typed: str
    shared: bool  # searched as typed; the reader may choose a meaning
    choices: list[NameChoice]  # each meaning, with a link that searches only it
    chosen: list[str] = field(default_factory=list)  # the meanings the reader chose
    others: list[str] = field(default_factory=list)  # those set aside
    every_url: str = ""  # back to every meaning


@dataclass
class NameControls:
    """What the search did with names, and the links that change it."""

    also: list[NameChoice]  # each other name searched, with a link that leaves it out
    left_out: list[NameChoice]  # names the reader left out, with a link that puts it back
    meanings: list[MeaningNote]
    exact_url: str | None  # search the exact spelling only
    widen_url: str | None  # search other names again
    at_the_time_url: str | None  # each name of a renamed body in its years (or not)
    at_the_time: bool


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


def facet_boxes(results: ArchiveResults, params: QueryDict, finds=None) -> list[FacetBox]:
    """The sidebar. ``finds`` maps a facet to what was typed in its find box."""
    finds = finds or {}
    boxes = []
    for name in BOXES:
        facet = FACETS[name]
        values = results.facets.get(name, [])
        if name == "region":
            links = _tree(values, params)
        elif name == "year":
            links = _years_and_months(values, results.facets.get("month", []), params)
        else:
            links = [_link(name, v, params) for v in values]
        find = finds.get(name, "")
        if not links and not find:
            continue
        cut = SHOWN_REGIONS if name == "region" else SHOWN_VALUES
        # Never hide a chosen value behind "show all".
        while any(link.selected for link in links[cut:]) and cut < len(links):
            cut += 1
        box = FacetBox(name, str(facet.title), links[:cut], links[cut:])
        if facet.alias_model is not None:
            box.findable = True
            box.find = find
            box.found = _found(name, find, values, params) if find else None
        boxes.append(box)
    return boxes


def _found(name: str, text: str, values: list[FacetValue], params: QueryDict) -> list[FacetLink]:
    """Values of a facet found by any of their names, with the counts of these results."""
    counts = {v.value: v for v in values}
    # A term only unpublished reports use stays private, as on its own page.
    visible = VisibleTerms()
    matches = (m for m in vocabulary.current().find(name, text) if visible(m.entry))
    links = []
    for match in itertools.islice(matches, SHOWN_VALUES * 2):
        slug = match.entry.slug
        value = counts.get(slug) or FacetValue(slug, match.entry.name, 0)
        link = _link(name, value, params)
        if match.name is not None:
            link.note = _("matched alias %(name)s") % {"name": match.name.text}
        links.append(link)
    return links


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
                    label = MONTHS_AP[int(month.value[5:])]
                    month = FacetValue(month.value, label, month.count, month.selected)
                    links.append(_link("month", month, params, depth=1))
    return links


def name_controls(results: ArchiveResults, params: QueryDict) -> NameControls:
    """Every other name searched can be left out; a shared name's meanings chosen; the
    widening switched off (exact spelling) or dated (as named at the time). All links."""
    query = results.query
    without = list(query.without)
    names = vocabulary.current()
    also = [
        NameChoice(name, url_with(params, without=[*without, name]))
        for name in results.also_searched
    ]
    left_out = [
        NameChoice(name, url_with(params, without=[n for n in without if n != name] or None))
        for name in without
    ]
    meanings = []
    for meaning in results.meanings:
        keys = {f"{term.facet}:{term.slug}" for term in meaning.terms}
        elsewhere = [m for m in query.means if m not in keys]  # other names' choices
        if meaning.chosen:
            chosen = {(t.facet, t.pk) for t in meaning.chosen}
            meanings.append(
                MeaningNote(
                    meaning.typed,
                    meaning.shared,
                    [],
                    chosen=[names.describe(t) for t in meaning.chosen],
                    others=[
                        names.describe(t) for t in meaning.terms if (t.facet, t.pk) not in chosen
                    ],
                    every_url=url_with(params, means=elsewhere or None),
                )
            )
            continue
        choices = [
            NameChoice(
                names.describe(term),
                url_with(params, means=[*elsewhere, f"{term.facet}:{term.slug}"]),
            )
            for term in meaning.terms
        ]
        meanings.append(MeaningNote(meaning.typed, meaning.shared, choices))
    widened = bool(results.also_searched or results.meanings or without)
    return NameControls(
        also=also,
        left_out=left_out,
        meanings=meanings,
        exact_url=url_with(params, exact="1") if widened and not query.exact else None,
        widen_url=url_with(params, exact=None) if query.exact else None,
        at_the_time_url=url_with(params, at_the_time=None if query.at_the_time else "1")
        if results.renamed or query.at_the_time
        else None,
        at_the_time=query.at_the_time,
    )


def chips(results: ArchiveResults, params: QueryDict) -> list[Chip]:
    """The chosen filters, each with a link that removes it; dates written as on reports."""
    found = []
    for name, values in results.query.filters.items():
        labels = {v.value: v.label for v in results.facets.get(name, [])}
        for value in values:
            shown = month_label(value) if name == "month" else labels.get(value, value)
            label = _("%(facet)s: %(value)s") % {"facet": FACETS[name].title, "value": shown}
            found.append(Chip(label, toggle(params, name, value)))
    if results.query.date_from:
        day = date_format(results.query.date_from, "N j, Y")
        found.append(Chip(_("From %(day)s") % {"day": day}, url_with(params, from_=None)))
    if results.query.date_to:
        day = date_format(results.query.date_to, "N j, Y")
        found.append(Chip(_("To %(day)s") % {"day": day}, url_with(params, to=None)))
    return found


def month_label(value: str) -> str:
    """“2012-04” as readers write it: “April 2012”."""
    return f"{MONTHS_AP[int(value[5:])]} {value[:4]}"


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
        periods = [(f"{chosen[0]}-{m:02d}", MONTHS_AP[m]) for m in range(1, 13)]
        name = "month"
    else:
        counts = dict(results.histogram)
        if not counts:
            return []
        first, last = int(min(counts)), int(max(counts))
        periods = [(str(y), str(y)) for y in range(first, last + 1)]
        name = "year"
    tallest = max(counts.values(), default=0) or 1
    # A lone year is a bar, not a wall; a few leave room for their labels.
    slot = min(width / max(len(periods), 1), 56)
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


class _ResultWindow:
    """All results as Django's Paginator sees them: their count, and the page in hand."""

    def __init__(self, results: ArchiveResults):
        self.results = results

    def __len__(self) -> int:
        return self.results.total

    def __getitem__(self, window: slice) -> list:
        return self.results.reports


def paginator(results: ArchiveResults) -> Paginator:
    return Paginator(_ResultWindow(results), results.query.per_page)


PHONE_WINDOW = 1  # pages each side of the current one that phones show


def page_links(results: ArchiveResults, params: QueryDict) -> dict:
    """Previous, next and numbered links, with an ellipsis (None) for pages left out.

    Each entry of ``pages`` is (number, url, current, far): ``far`` numbers are
    more than PHONE_WINDOW from the current page and not the first or last,
    and narrow screens leave them out so the pager fits on one or two lines.
    """
    pages = paginator(results)
    page = pages.get_page(results.query.page)

    def url(number):
        return url_with(params, drop=(), page=str(number) if number > 1 else None)

    numbers = pages.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "pages": _with_phone_gaps(
            [
                (n, url(n), n == page.number, _far(n, page.number, pages.num_pages))
                if n != pages.ELLIPSIS
                else (None, None, False, False)
                for n in numbers
            ]
        ),
        "current": page.number,
        "last": pages.num_pages,
    }


def _far(number: int, current: int, last: int) -> bool:
    return abs(number - current) > PHONE_WINDOW and number not in (1, last)


def _with_phone_gaps(entries: list[tuple]) -> list[tuple]:
    """An ellipsis only phones show, (None, None, False, True), where they leave out a
    run of far numbers that no ellipsis already stands beside."""
    found: list[tuple] = []
    for index, entry in enumerate(entries):
        number, far = entry[0], entry[3]
        starts_run = number is not None and far and not (found and found[-1][3])
        if starts_run:
            end = index
            while end < len(entries) and entries[end][0] is not None and entries[end][3]:
                end += 1
            before = found[-1][0] if found else 0
            after = entries[end][0] if end < len(entries) else 0
            if before is not None and after is not None:
                found.append((None, None, False, True))
        found.append(entry)
    return found


def term_links(name: str, values: list[FacetValue]) -> list[TermLink]:
    """Links to the pages of the terms counted, e.g. on the home page."""
    return [
        TermLink(v.label, v.count, reverse(f"archive:{name}", kwargs={"slug": v.value}))
        for v in values
    ]


@dataclass
class TagGroup:
    label: str
    kind: str  # the facet's name
    terms: list


def tag_groups(report, fields: tuple[str, ...] | None = None) -> list[TagGroup]:
    """A report's tags by facet (all its many-valued facets, or the given fields)."""
    chosen = [f for f in TERMS if f.many and (fields is None or f.report_field in fields)]
    groups = [TagGroup(str(f.plural), f.name, f.terms_of(report)) for f in chosen]
    return [group for group in groups if group.terms]


def cards(reports: list) -> list:
    """Reports for a list: the tags cards show fetched in a few queries, as ``card_tags``."""
    prefetch_related_objects(reports, "source")
    fetch_terms(reports, ON_CARDS)
    for report in reports:
        report.card_tags = tag_groups(report, ON_CARDS)
    return reports


def sort_links(params: QueryDict, current: str, has_text: bool) -> list[tuple[str, str, bool]]:
    sorts = [("relevance", _("Relevance"))] if has_text else []
    sorts += [("newest", _("Newest")), ("oldest", _("Oldest"))]
    return [(label, url_with(params, sort=value), value == current) for value, label in sorts]


@dataclass
class DayGroup:
    heading: str
    anchor: str
    reports: list


def by_day(reports: list) -> list[DayGroup]:
    """A month's reports under a heading for each day, in order; those whose day is not
    known under a heading of their own, last."""
    days: dict[int | None, list] = {}
    for report in reports:
        days.setdefault(report.pub_day, []).append(report)
    groups = [
        DayGroup(str(reports[0].date), f"day-{day}", reports)
        for day, reports in sorted((d, r) for d, r in days.items() if d is not None)
    ]
    if None in days:
        groups.append(DayGroup(_("Day not known"), "day-unknown", days[None]))
    return groups


def per_page_links(params: QueryDict, current: int) -> list[tuple[str, str, bool]]:
    """Links to show 20, 50 or 100 reports a page, from the first page."""
    return [
        (str(n), url_with(params, per_page=None if n == PER_PAGE else str(n)), n == current)
        for n in PER_PAGE_CHOICES
    ]


@dataclass
class Renaming:
    name: str
    years: str
    note: str
    current: bool = False


def known_names(term) -> dict:
    """A term's other names grouped by kind, and its names over time.

    ``names``: [(kind label, [Alias…])] for every alias that is not a former
    name. ``history``: the former names, oldest first, then the current name
    "since" the year the last former name went out of use (when known).
    """
    aliases = list(term.aliases.all()) if hasattr(term, "aliases") else []
    former = [a for a in aliases if a.kind == Alias.Kind.FORMER]
    groups: dict[str, list[Alias]] = {}
    for alias in aliases:
        if alias.kind != Alias.Kind.FORMER:
            groups.setdefault(alias.get_kind_display(), []).append(alias)
    order = [label for _, label in Alias.Kind.choices]
    names = sorted(groups.items(), key=lambda item: order.index(item[0]))
    history = []
    if former:
        former.sort(key=lambda a: (a.used_until or 9999, a.used_from or 0, a.name))
        history = [Renaming(a.name, a.years or _("years not recorded"), a.note) for a in former]
        ends = [a.used_until for a in former if a.used_until]
        since = _("since %(year)s") % {"year": max(ends)} if ends else ""
        history.append(Renaming(term.name, since, "", current=True))
    return {"names": names, "history": history}
