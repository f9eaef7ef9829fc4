"""Timelines: the bars of results by year (by month within a chosen year), what they
cannot show (the undated), and where a term's renamings fall on them.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.dates import MONTHS_AP
from django.utils.translation import gettext as _

from ...search.links import url_with
from ...search.running import ArchiveResults


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


@dataclass
class Mark:
    year: int
    x: float
    text: str


def renaming_marks(term, bars: list[Bar]) -> list[Mark]:
    """Where the timeline's years meet the term's renamings (a former name's last year)."""
    aliases = term.aliases.all() if hasattr(term, "aliases") else []
    at = {bar.label: bar.x + bar.width / 2 for bar in bars}
    marks = []
    for alias in aliases:
        if alias.kind == alias.Kind.FORMER and alias.used_until and str(alias.used_until) in at:
            text = _("%(year)s: %(old)s renamed %(new)s") % {
                "year": alias.used_until,
                "old": alias.name,
                "new": term.name,
            }
            marks.append(Mark(alias.used_until, round(at[str(alias.used_until)], 1), text))
    return sorted(marks, key=lambda m: m.year)
