"""The search form: a page's GET parameters in, an ``ArchiveQuery`` out, and back (the
links that change a search are ``links``).

Every state of the search page is a plain URL. Parameters a reader may have
typed or mangled never cause an error page: a value that cannot be used is
dropped and named in a message (the form's errors), and the search runs with
the rest.
"""

import datetime
import re
from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

from ..facets import FACETS, TERMS
from ..names import vocabulary
from .running import (
    MAX_QUERY_LENGTH,
    PER_PAGE,
    PER_PAGE_CHOICES,
    SORTS,
    ArchiveQuery,
)
from .visibility import VisibleTerms

FACET_VALUE_PATTERNS = {
    "year": re.compile(r"^\d{4}$"),
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    **{
        facet.name: re.compile("^(" + "|".join(value for value, _ in facet.choices) + ")$")
        for facet in FACETS.values()
        if facet.choices
    },
}
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_PAGE = 10_000
MAX_OPENED = 20  # provinces a grid opens at once
MAX_QUERY_WORDS = 32
MAX_VALUE_LENGTH = 200
# Parameters that make up a search; anything else in the URL is ignored.
PARAMETERS = (
    "q",
    *FACETS,
    "from",
    "to",
    "sort",
    "page",
    "per_page",
    "exact",
    "without",
    "means",
    "at_the_time",
)
MEANS_RE = re.compile(r"^[a-z]+:[-a-z0-9_]+$")


@dataclass
class Display:
    """How a page shows what it found, from its parameters: as a list or in grids
    (``view=grid``), the provinces whose places a grid opens (``open``), and what was
    typed in the sidebar's find boxes (``find_region=hamkyung``)."""

    grid: bool = False
    opened: tuple[str, ...] = ()
    finds: dict[str, str] = field(default_factory=dict)


def parse_display(data: QueryDict) -> Display:
    return Display(
        grid=data.get("view") == "grid",
        opened=tuple(dict.fromkeys(v[:200] for v in data.getlist("open")))[:MAX_OPENED],
        finds={
            facet.name: without_controls(data.get(f"find_{facet.name}", "")).strip()[:100]
            for facet in TERMS
        },
    )


@dataclass
class ParsedSearch:
    query: ArchiveQuery
    params: QueryDict  # the cleaned parameters, for building links
    messages: list[str] = field(default_factory=list)
    # What readers may see named, worked out once for the request (see ``VisibleTerms``).
    visible: VisibleTerms = field(default_factory=VisibleTerms)
    display: Display = field(default_factory=Display)


def without_controls(text: str, replacement: str = " ") -> str:
    return CONTROL_RE.sub(replacement, text)


class ValuesField(forms.Field):
    """Any number of values of one facet (``?region=a&region=b``), cleaned, each once."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> tuple[str, ...]:
        values = (without_controls(v, "").strip()[:MAX_VALUE_LENGTH] for v in value or ())
        return tuple(dict.fromkeys(v for v in values if v))


class PartialDateField(forms.CharField):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the first day of it, or with ``end`` the last."""

    def __init__(self, *, end: bool, label: str, **kwargs):
        self.end = end
        super().__init__(required=False, label=label, **kwargs)

    def to_python(self, value) -> datetime.date | None:
        raw = super().to_python(value)
        if not raw:
            return None
        match = DATE_RE.match(raw)
        try:
            if not match:
                raise ValueError
            year, month, day = (int(p) if p else None for p in match.groups())
            if month is None:
                return datetime.date(year, 12, 31) if self.end else datetime.date(year, 1, 1)
            if day is None:
                first = datetime.date(year, month, 1)
                if not self.end:
                    return first
                following = first.replace(day=28) + datetime.timedelta(days=4)
                return following - datetime.timedelta(days=following.day)
            return datetime.date(year, month, day)
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                _(
                    "“%(raw)s” is not a date (use YYYY, YYYY-MM or YYYY-MM-DD); "
                    "the “%(label)s” date was left out."
                )
                % {"raw": raw[:30], "label": self.label}
            ) from None


class SearchForm(forms.Form):
    """The search page's parameters. Use ``parsed()``: it never fails."""

    q = forms.CharField(required=False, strip=True)
    exact = forms.BooleanField(required=False)  # "1": the words as typed, nothing widened
    at_the_time = forms.BooleanField(required=False)  # "1": a renamed body's names in their years
    sort = forms.CharField(required=False)
    page = forms.CharField(required=False)
    per_page = forms.CharField(required=False)

    def __init__(self, data: QueryDict, visible: VisibleTerms | None = None):
        super().__init__(data)
        self.visible = visible or VisibleTerms()
        for name in (*FACETS, "without", "means"):
            self.fields[name] = ValuesField(required=False)
        # "from" is a Python keyword: these two are added here rather than declared.
        self.fields["from"] = PartialDateField(end=False, label="from")
        self.fields["to"] = PartialDateField(end=True, label="to")
        self.notices: list[str] = []  # what was changed rather than left out

    def clean_q(self) -> str:
        text = without_controls(self.cleaned_data["q"]).strip()
        if len(text) > MAX_QUERY_LENGTH:
            self.notices.append(
                _("Your search was cut to its first %(n)d characters.") % {"n": MAX_QUERY_LENGTH}
            )
            text = text[:MAX_QUERY_LENGTH]
        words = text.split()
        if len(words) > MAX_QUERY_WORDS:
            self.notices.append(
                _("Your search was cut to its first %(n)d words.") % {"n": MAX_QUERY_WORDS}
            )
            text = " ".join(words[:MAX_QUERY_WORDS])
        return text

    def clean_means(self) -> tuple[str, ...]:
        """Meanings chosen for shared names, as "facet:slug"; others are ignored."""
        return tuple(v for v in self.cleaned_data["means"] if MEANS_RE.match(v))[:10]

    def clean_without(self) -> tuple[str, ...]:
        return self.cleaned_data["without"][:20]

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"]
        if sort and sort not in SORTS:
            raise forms.ValidationError(
                _("Unknown sort “%(sort)s”; showing newest first.") % {"sort": sort[:30]}
            )
        return sort

    def clean_page(self) -> int:
        raw = self.cleaned_data["page"] or "1"
        number = page_number(raw)
        if number is None:
            raise forms.ValidationError(
                _("There is no page “%(page)s”; showing the first page.") % {"page": raw[:20]}
            )
        return number

    def clean_per_page(self) -> int:
        raw = self.cleaned_data["per_page"]
        if not raw:
            return PER_PAGE
        if raw in {str(n) for n in PER_PAGE_CHOICES}:
            return int(raw)
        raise forms.ValidationError(
            _("“%(raw)s” reports a page is not offered (%(choices)s); showing %(n)d.")
            % {
                "raw": raw[:20],
                "choices": ", ".join(map(str, PER_PAGE_CHOICES)),
                "n": PER_PAGE,
            }
        )

    def clean(self):
        cleaned = super().clean()
        for name in FACETS:
            values = self._by_any_name(name, cleaned.get(name, ()))
            known = known_values(name, values, self.visible)
            for value in values:
                if value not in known:
                    self.add_error(
                        name,
                        _("There is no %(facet)s “%(value)s”; that filter was left out.")
                        % {"facet": name, "value": value[:60]},
                    )
            cleaned[name] = tuple(v for v in values if v in known)
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.notices.append(_("The start date was after the end date; they were swapped."))
            cleaned["from"], cleaned["to"] = end, start
        return cleaned

    def _by_any_name(self, name: str, values: tuple[str, ...]) -> tuple[str, ...]:
        """Values that are a term's other name (“bowibu”, “north-hamkyung”) become its slug."""
        facet = FACETS[name]
        if facet.alias_model is None or not values:
            return values
        slugs = set(facet.model.objects.filter(slug__in=values).values_list("slug", flat=True))
        names = vocabulary.current()
        resolved = []
        for value in values:
            entry = None if value in slugs else names.resolve(name, value, self.visible)
            if entry is not None:
                self.notices.append(
                    _("“%(value)s” is another name for %(term)s; filtering by that.")
                    % {"value": value[:60], "term": entry.name}
                )
                value = entry.slug
            resolved.append(value)
        return tuple(dict.fromkeys(resolved))

    def parsed(self) -> ParsedSearch:
        """The query this form describes, with a message for each thing left out."""
        self.is_valid()
        cleaned = self.cleaned_data
        text = cleaned.get("q", "")
        filters = {name: cleaned[name] for name in FACETS if cleaned.get(name)}
        sort = cleaned.get("sort") or (
            "relevance" if text and not self.has_error("sort") else "newest"
        )
        if sort == "relevance" and not text:
            sort = "newest"
        query = ArchiveQuery(
            text,
            filters,
            cleaned.get("from"),
            cleaned.get("to"),
            sort,
            cleaned.get("page", 1),
            cleaned.get("per_page") or PER_PAGE,
            exact=bool(cleaned.get("exact")),
            without=cleaned.get("without", ()),
            means=cleaned.get("means", ()),
            at_the_time=bool(cleaned.get("at_the_time")),
        )
        return ParsedSearch(
            query, to_params(query), self.messages(), self.visible, parse_display(self.data)
        )

    def messages(self) -> list[str]:
        """What the reader is told: what was changed, then what was left out."""
        errors = [str(message) for messages in self.errors.values() for message in messages]
        return self.notices + errors


def parse_search(data: QueryDict, visible: VisibleTerms | None = None) -> ParsedSearch:
    """The search these parameters ask for; ``visible`` when the request has one."""
    return SearchForm(data, visible=visible).parsed()


def page_number(raw: str) -> int | None:
    """A page number from 1 to MAX_PAGE, or None ("²", "1.5" and huge numbers are not)."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_PAGE else None


def known_values(name: str, values: tuple[str, ...], visible: VisibleTerms) -> set[str]:
    """The values a reader may filter by: valid, and used by a published report.

    A term only unpublished reports use is as unknown as one that does not
    exist. The search index holds published reports only, and a place's
    reports count for the places it lies in.
    """
    if not values:
        return set()
    facet = FACETS[name]
    if facet.is_term:
        return set(values) & visible.present(facet.index_field)
    return {v for v in values if FACET_VALUE_PATTERNS[name].match(v)}


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
    if query.per_page != PER_PAGE:
        params["per_page"] = str(query.per_page)
    if query.exact:
        params["exact"] = "1"
    if query.without:
        params.setlist("without", list(query.without))
    if query.means:
        params.setlist("means", list(query.means))
    if query.at_the_time:
        params["at_the_time"] = "1"
    return params
