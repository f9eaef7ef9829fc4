"""Reports and terms as lists show them: a report's card with its tags, a month's
reports by day, links to terms, and a term's names over time.
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _

from ..facets import ON_CARDS, TERMS, fetch_terms
from ..models import Alias
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


def cards(reports: list) -> list:
    """Reports for a list: the tags cards show fetched in a few queries, as ``card_tags``."""
    prefetch_related_objects(reports, "source")
    fetch_terms(reports, ON_CARDS)
    for report in reports:
        report.card_tags = tag_groups(report, ON_CARDS)
    return reports


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
