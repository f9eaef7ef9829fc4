"""Links that change a search: the page's own address with a parameter changed, added
or taken away. Pages, feeds, exports, the API and alerts build every search link
here, from the parameters the form cleaned (``ParsedSearch.params``)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from .running import FacetValue


@dataclass
class FacetLink:
    """A facet value as pages and the API show it: counted, and a link that adds it to
    the search or takes it away."""

    value: str
    label: str
    count: int
    selected: bool
    url: str  # the search with this value toggled (``toggle``)
    parent: str | None = None  # the larger value it lies in (a region's)
    depth: int = 0  # how deep a sidebar's tree shows it
    note: str = ""  # e.g. “matched alias Bowibu”


def url_with(params: QueryDict, drop: tuple = ("page",), **changes) -> str:
    """The search URL for these parameters, changed; a value of None removes a key."""
    # A dict of lists, not ``params.copy()``: a QueryDict copies itself with deepcopy,
    # and pages and API answers build a URL for every facet value they show.
    result = {key: values for key, values in params.lists() if key not in drop}
    for key, value in changes.items():
        key = key.rstrip("_")
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list | tuple):
            result[key] = list(value)
        else:
            result[key] = [value]
    encoded = urlencode(sorted(result.items()), doseq=True)
    return "?" + encoded if encoded else "?"


def hidden_inputs(params: QueryDict, leave_out: tuple = ("page",)) -> list[tuple[str, str]]:
    """(name, value) of each parameter a form on the page must carry along, less those
    the form sets itself (or that a new search resets): for ``<input type="hidden">``."""
    return [
        (key, value) for key, values in params.lists() if key not in leave_out for value in values
    ]


def facet_link(name: str, value: FacetValue, params: QueryDict, depth: int = 0) -> FacetLink:
    url = toggle(params, name, value.value)
    return FacetLink(
        value.value, value.label, value.count, value.selected, url, value.parent, depth
    )


def toggle(params: QueryDict, name: str, value: str) -> str:
    """The URL with one facet value added (OR) or, when present, removed."""
    values = params.getlist(name)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return url_with(params, **{name: values or None})
