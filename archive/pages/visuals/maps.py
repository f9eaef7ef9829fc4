"""The map of a search: North Korea's outline, a circle for each place with results.

Server-rendered SVG, no JavaScript. The outline is Natural Earth's, derived by
``fixtures/map/derive_outline.py`` with the projection it was drawn in; places
are projected the same way. A circle's area is its count: the results placed
there and nowhere more precise inside it (a province's circle holds its
reports that name no county or city of it), from the search's ``own`` counts.
Every count comes from the one search call; coordinates are read once per
vocabulary version.
"""

import functools
import json
import math
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ...models import Region
from ...names import vocabulary
from ...search.running import ArchiveResults
from .grids import narrowing

OUTLINE = settings.BASE_DIR / "fixtures" / "map" / "outline.json"
LARGEST = 16.0  # SVG units: the radius of the largest circle (a few hundred places fit)
SMALLEST = 3.0  # a single report still shows
# Neighbours and seas, where their names sit on the map (longitude, latitude).
NAMES = (
    (_("China"), 124.9, 42.2, "country"),
    (_("Russia"), 130.95, 42.95, "country"),
    (_("South Korea"), 128.0, 37.55, "country"),
    (_("Sea of Japan (East Sea)"), 130.0, 39.2, "sea"),
    (_("Yellow Sea"), 124.2, 37.75, "sea"),
    (_("Korea Bay"), 124.1, 39.2, "sea"),
)


@dataclass(frozen=True)
class Place:
    slug: str
    x: float
    y: float
    kind: str


@dataclass
class Circle:
    slug: str
    label: str
    count: int  # results placed here and nowhere inside it
    total: int  # results anywhere in it: the total its link finds
    url: str
    # SVG numbers as written (never localized: a decimal comma would break them)
    x: str
    y: str
    r: str
    title: str = ""  # name and count, for the tooltip and screen readers


@dataclass
class Label:
    text: str
    x: str
    y: str
    kind: str


@dataclass
class Map:
    width: str
    height: str
    countries: dict[str, str]  # slug -> SVG path
    circles: list[Circle]
    labels: list[Label]
    # Places with results and no point on the map (no coordinates, or outside it)
    off_map: list[Circle] = field(default_factory=list)

    # The circles and the table's rows are written here, not looped in the template:
    # a few hundred of each took a tenth of the search page's time at 100,000 reports.
    @property
    def circles_svg(self) -> SafeString:
        return mark_safe(
            "".join(
                f'<a href="{escape(c.url)}" aria-label="{escape(c.title)}">'
                f"<title>{escape(c.title)}</title>"
                f'<circle class="place" cx="{c.x}" cy="{c.y}" r="{c.r}"></circle></a>'
                for c in self.circles
            )
        )

    @property
    def table_rows(self) -> SafeString:
        return mark_safe(
            "".join(
                f'<tr><th scope="row"><a href="{escape(c.url)}">{escape(c.label)}</a></th>'
                f'<td class="num">{c.count}</td><td class="num">{c.total}</td></tr>'
                for c in self.circles
            )
        )


@functools.cache
def outline() -> dict:
    return json.loads(OUTLINE.read_text())


def project(longitude: float, latitude: float) -> tuple[float, float] | None:
    """SVG units for a point, as the outline was drawn; None outside the frame."""
    data = outline()
    frame = data["frame"]
    if not (
        frame["west"] <= longitude <= frame["east"] and frame["south"] <= latitude <= frame["north"]
    ):
        return None
    scale = data["width"] / ((frame["east"] - frame["west"]) * data["x_scale"])
    return (
        round((longitude - frame["west"]) * data["x_scale"] * scale, 1),
        round((frame["north"] - latitude) * scale, 1),
    )


_places: dict = {"vocabulary": None, "places": {}}
_lock = threading.Lock()


def places() -> dict[str, Place]:
    """Regions on the map by slug, read again only when the vocabulary changes."""
    names = vocabulary.current()
    with _lock:
        if _places["vocabulary"] is not names:
            found = {}
            rows = Region.objects.exclude(latitude=None).exclude(longitude=None)
            for slug, latitude, longitude, kind in rows.values_list(
                "slug", "latitude", "longitude", "kind"
            ):
                point = project(float(longitude), float(latitude))
                if point is not None:
                    found[slug] = Place(slug, *point, kind)
            _places.update(vocabulary=names, places=found)
        return _places["places"]


def search_map(
    results: ArchiveResults, params: QueryDict, base: str = "", within: str | None = None
) -> Map:
    """The map of these results (asked for with ``own=("region",)``). Each circle links
    to the search narrowed to its place. ``within``: only that region and places in it
    (a region's own page, whose links keep to it)."""
    data = outline()
    on_map = places()
    own = results.own.get("region", {})
    values = results.facets.get("region", [])
    if within is not None:
        values = [v for v in values if v.value == within or _inside(v.value, within)]
    circles, off_map = [], []
    narrowed_to = narrowing(params, base)
    largest = max((own.get(v.value, 0) for v in values), default=0) or 1
    for value in values:
        count = own.get(value.value, 0)
        if not count:
            continue
        place = on_map.get(value.value)
        url = narrowed_to(region=[value.value])
        radius = max(SMALLEST, LARGEST * math.sqrt(count / largest))
        x, y = (place.x, place.y) if place else (0, 0)
        title = _title(value.label, count, value.count)
        circle = Circle(
            value.value,
            value.label,
            count,
            value.count,
            url,
            f"{x:g}",
            f"{y:g}",
            f"{radius:.1f}",
            title,
        )
        (circles if place else off_map).append(circle)
    circles.sort(key=lambda c: -float(c.r))  # small circles drawn last, on top
    labels = [
        Label(str(text), *(f"{n:g}" for n in project(lon, lat)), kind)
        for text, lon, lat, kind in NAMES
    ]
    names = vocabulary.current().labels.get("region", {})
    labels += [
        Label(names[slug][0], f"{place.x:g}", f"{place.y:g}", "province")
        for slug, place in on_map.items()
        if place.kind == Region.Kind.PROVINCE and slug in names
    ]
    size = f"{data['width']:g}", f"{data['height']:g}"
    return Map(*size, data["countries"], circles, labels, off_map)


def _title(place: str, count: int, total: int) -> str:
    title = ngettext("%(place)s: %(n)d report", "%(place)s: %(n)d reports", count) % {
        "place": place,
        "n": count,
    }
    if total != count:
        title += " " + _("(%(n)d with places inside it)") % {"n": total}
    return title


def _inside(slug: str, ancestor: str) -> bool:
    labels = vocabulary.current().labels.get("region", {})
    seen = set()
    while slug in labels and slug not in seen:
        seen.add(slug)
        slug = labels[slug][1]
        if slug == ancestor:
            return True
    return False
