"""The search page's sidebar: a box of links for each facet (trees for places, years
with their months), the controls for the names a search was widened to, and the
chips of what is chosen.
"""

import itertools
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.dates import MONTHS_AP
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..common.dates import month_and_year
from ..facets import FACETS
from ..names import vocabulary
from ..search.links import FacetLink, facet_link, toggle, url_with
from ..search.running import ArchiveResults, FacetValue
from ..search.visibility import VisibleTerms

# The facets with a box of their own (months open inside the year box).
BOXES = tuple(name for name in FACETS if name != "month")
SHOWN_VALUES = 8
SHOWN_REGIONS = 25  # a tree cut in the middle reads badly: show more of it


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


def facet_boxes(
    results: ArchiveResults, params: QueryDict, finds: dict[str, str], visible: VisibleTerms
) -> list[FacetBox]:
    """The sidebar. ``finds`` maps a facet to what was typed in its find box; terms found
    there are shown when ``visible`` (the request's) allows."""
    boxes = []
    for name in BOXES:
        facet = FACETS[name]
        values = results.facets.get(name, [])
        if name == "region":
            links = _tree(values, params)
        elif name == "year":
            links = _years_and_months(values, results.facets.get("month", []), params)
        else:
            links = [facet_link(name, v, params) for v in values]
        find = finds.get(name, "")
        if not links and not find:
            continue
        if facet.choices and len(links) < 2 and not any(link.selected for link in links):
            continue  # one language offers no choice
        cut = SHOWN_REGIONS if name == "region" else SHOWN_VALUES
        if name == "year":  # a chosen year's months are shown with it, not instead of years
            cut = _past_top_level(links, cut)
        # Never hide a chosen value behind "show all".
        while any(link.selected for link in links[cut:]) and cut < len(links):
            cut += 1
        box = FacetBox(name, str(facet.title), links[:cut], links[cut:])
        if facet.alias_model is not None:
            box.findable = True
            box.find = find
            box.found = _found(name, find, values, params, visible) if find else None
        boxes.append(box)
    return boxes


def _found(
    name: str, text: str, values: list[FacetValue], params: QueryDict, visible: VisibleTerms
) -> list[FacetLink]:
    """Values of a facet found by any of their names, with the counts of these results.
    A term only unpublished reports use stays private (``visible``), as on its own page."""
    counts = {v.value: v for v in values}
    matches = (m for m in vocabulary.current().find(name, text) if visible(m.entry))
    links = []
    for match in itertools.islice(matches, SHOWN_VALUES * 2):
        slug = match.entry.slug
        value = counts.get(slug) or FacetValue(slug, match.entry.name, 0)
        link = facet_link(name, value, params)
        if match.name is not None:
            link.note = _("matched alias %(name)s") % {"name": match.name.text}
        links.append(link)
    return links


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
            links.append(facet_link("region", value, params, depth))
            walk(value.value, depth + 1)

    walk(None, 0)
    return links


def _past_top_level(links: list[FacetLink], count: int) -> int:
    """How many links hold the first ``count`` top-level ones and what nests in them."""
    seen = 0
    for number, link in enumerate(links):
        if link.depth == 0:
            seen += 1
            if seen > count:
                return number
    return len(links)


def _years_and_months(years, months, params: QueryDict) -> list[FacetLink]:
    links = []
    chosen_years = set(params.getlist("year"))
    for year in sorted(years, key=lambda v: v.value, reverse=True):
        links.append(facet_link("year", year, params))
        if year.value in chosen_years:
            for month in sorted(months, key=lambda v: v.value):
                if month.value.startswith(year.value + "-"):
                    label = MONTHS_AP[int(month.value[5:])]
                    month = FacetValue(month.value, label, month.count, month.selected)
                    links.append(facet_link("month", month, params, depth=1))
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
        day = date_format(results.query.date_from, "DATE_FORMAT")
        found.append(Chip(_("From %(day)s") % {"day": day}, url_with(params, from_=None)))
    if results.query.date_to:
        day = date_format(results.query.date_to, "DATE_FORMAT")
        found.append(Chip(_("To %(day)s") % {"day": day}, url_with(params, to=None)))
    return found


def month_label(value: str) -> str:
    """“2012-04” as readers write it: “April 2012” (“2012년 4월”)."""
    return month_and_year(value[:4], int(value[5:]))
