"""Reports and terms as lists show them: a report's card with its tags, a month's
reports by day, links to terms, and a term's names over time.
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _

from ..facets import ON_CARDS, TERMS, fetch_terms
from ..models import Alias, Report
from ..search.running import FacetValue


@dataclass
class TermLink:
    label: str
    count: int
    url: str


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


@dataclass
class Card:
    """A report as a list shows it."""

    report: Report
    tags: list[TagGroup]  # of the facets cards show (``ON_CARDS``)
    url: str  # where its headline leads: the report, as a search's result when one found it
    snippet: str = ""  # the passage a search matched, words in <mark> (HTML-safe)


def with_card_terms(reports: list[Report]) -> list[Report]:
    """The reports, with their source and the tags cards show fetched in a few queries."""
    prefetch_related_objects(reports, "source")
    return fetch_terms(reports, ON_CARDS)


def cards(
    reports: list[Report], snippets: dict | None = None, urls: dict | None = None
) -> list[Card]:
    """Cards for a list of reports; ``snippets`` and ``urls`` by report id, from a search."""
    snippets, urls = snippets or {}, urls or {}
    return [
        Card(
            report,
            tag_groups(report, ON_CARDS),
            urls.get(report.pk) or report.get_absolute_url(),
            snippets.get(report.pk, ""),
        )
        for report in with_card_terms(reports)
    ]


@dataclass
class DayGroup:
    heading: str
    anchor: str
    cards: list[Card]


def by_day(shown: list[Card]) -> list[DayGroup]:
    """A month's cards under a heading for each day, in order; those whose day is not
    known under a heading of their own, last."""
    days: dict[int | None, list[Card]] = {}
    for card in shown:
        days.setdefault(card.report.pub_day, []).append(card)
    groups = [
        DayGroup(str(on_day[0].report.date), f"day-{day}", on_day)
        for day, on_day in sorted((d, c) for d, c in days.items() if d is not None)
    ]
    if None in days:
        groups.append(DayGroup(_("Day not known"), "day-unknown", days[None]))
    return groups


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
