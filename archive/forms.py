"""Reading a search page's GET parameters into an ArchiveQuery.

Every state of the search page is a plain URL. Parameters a reader may have
typed or mangled never cause an error page: what cannot be used is dropped
and named in a message.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict

from . import vocabulary
from .models import Agency, Region, Report, Source, Topic
from .search import FACETS, MAX_QUERY_LENGTH, PER_PAGE, SORTS, ArchiveQuery, VisibleTerms

TERM_MODELS = {"region": Region, "agency": Agency, "topic": Topic, "source": Source}
FACET_VALUE_PATTERNS = {"year": re.compile(r"^\d{4}$"), "month": re.compile(r"^\d{4}-\d{2}$")}
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_PAGE = 10_000
# Parameters that make up a search; anything else in the URL is ignored.
PARAMETERS = ("q", *FACETS, "from", "to", "sort", "page")


@dataclass
class ParsedSearch:
    query: ArchiveQuery
    params: QueryDict  # the cleaned parameters, for building links
    messages: list[str] = field(default_factory=list)


def parse_search(data: QueryDict) -> ParsedSearch:
    messages: list[str] = []
    text = CONTROL_RE.sub(" ", data.get("q", "")).strip()
    if len(text) > MAX_QUERY_LENGTH:
        messages.append(f"Your search was cut to its first {MAX_QUERY_LENGTH} characters.")
        text = text[:MAX_QUERY_LENGTH]

    filters = {}
    for name in FACETS:
        values = tuple(
            dict.fromkeys(CONTROL_RE.sub("", v).strip()[:200] for v in data.getlist(name))
        )
        values = _by_any_name(name, tuple(v for v in values if v), messages)
        known = known_values(name, values)
        for value in values:
            if value not in known:
                messages.append(f"There is no {name} “{value[:60]}”; that filter was left out.")
        if known:
            filters[name] = tuple(v for v in values if v in known)

    start = _date(data.get("from", ""), "from", messages, end=False)
    end = _date(data.get("to", ""), "to", messages, end=True)
    if start and end and start > end:
        messages.append("The start date was after the end date; they were swapped.")
        start, end = end, start

    sort = data.get("sort", "relevance" if text else "newest")
    if sort not in SORTS:
        messages.append(f"Unknown sort “{sort[:30]}”; showing newest first.")
        sort = "newest"
    if sort == "relevance" and not text:
        sort = "newest"

    page = 1
    raw_page = data.get("page", "1")
    if not page_number(raw_page):
        messages.append(f"There is no page “{raw_page[:20]}”; showing the first page.")
    else:
        page = page_number(raw_page)

    query = ArchiveQuery(text, filters, start, end, sort, page, PER_PAGE)
    return ParsedSearch(query, to_params(query), messages)


def page_number(raw: str) -> int | None:
    """A page number from 1 to MAX_PAGE, or None ("²", "1.5" and huge numbers are not)."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_PAGE else None


def to_params(query: ArchiveQuery) -> QueryDict:
    params = QueryDict(mutable=True)
    if query.text:
        params["q"] = query.text
    for name, values in query.filters.items():
        params.setlist(name, list(values))
    if query.date_from:
        params["from"] = query.date_from.isoformat()
    if query.date_to:
        params["to"] = query.date_to.isoformat()
    if query.sort != ("relevance" if query.text else "newest"):
        params["sort"] = query.sort
    if query.page > 1:
        params["page"] = str(query.page)
    return params


def url_with(params: QueryDict, drop: tuple = ("page",), **changes) -> str:
    """The search URL for these parameters, changed; a value of None removes a key."""
    result = params.copy()
    for key in drop:
        result.pop(key, None)
    for key, value in changes.items():
        key = key.rstrip("_")
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list | tuple):
            result.setlist(key, list(value))
        else:
            result[key] = value
    encoded = urlencode(sorted(result.lists()), doseq=True)
    return "?" + encoded if encoded else "?"


def toggle(params: QueryDict, name: str, value: str) -> str:
    """The URL with one facet value added (OR) or, when present, removed."""
    values = params.getlist(name)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return url_with(params, **{name: values or None})


def _by_any_name(name: str, values: tuple[str, ...], messages: list[str]) -> tuple[str, ...]:
    """Values that are a term's other name (“bowibu”, “north-hamkyung”) become its slug."""
    if name not in vocabulary.MODELS or not values:
        return values
    slugs = set(TERM_MODELS[name].objects.filter(slug__in=values).values_list("slug", flat=True))
    names, visible = vocabulary.current(), VisibleTerms()
    resolved = []
    for value in values:
        entry = None if value in slugs else names.resolve(name, value, visible)
        if entry is not None:
            messages.append(f"“{value[:60]}” is another name for {entry.name}; filtering by that.")
            value = entry.slug
        resolved.append(value)
    return tuple(dict.fromkeys(resolved))


def known_values(name: str, values: tuple[str, ...]) -> set[str]:
    """The values a reader may filter by: valid, and used by a published report."""
    if not values:
        return set()
    if name in TERM_MODELS:
        # A term only unpublished reports use is as unknown as one that does not exist.
        terms = TERM_MODELS[name].objects.filter(slug__in=values)
        return {t.slug for t in terms if Report.objects.published().tagged_with(t).exists()}
    return {v for v in values if FACET_VALUE_PATTERNS[name].match(v)}


def _date(raw: str, label: str, messages: list[str], end: bool) -> datetime.date | None:
    raw = raw.strip()
    if not raw:
        return None
    match = DATE_RE.match(raw)
    try:
        if not match:
            raise ValueError
        year, month, day = (int(p) if p else None for p in match.groups())
        if month is None:
            return datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)
        if day is None:
            first = datetime.date(year, month, 1)
            if not end:
                return first
            following = first.replace(day=28) + datetime.timedelta(days=4)
            return following - datetime.timedelta(days=following.day)
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        messages.append(f"“{raw[:30]}” is not a date (use YYYY, YYYY-MM or YYYY-MM-DD); "
                        f"the “{label}” date was left out.")  # fmt: skip
        return None
