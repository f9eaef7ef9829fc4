"""Published incidents narrowed as a reader asks: by place (with the places inside
it), body, person, topic, year, words of the title or summary, and at least N
independent sources. ``/incidents/`` and the API's ``/api/v1/incidents/`` both read
their parameters here, so they never disagree."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..models import Agency, Incident, Person, Region, Topic

PER_PAGE = 20
MAX_QUERY = 200  # characters of a text filter looked at
MAX_VALUES = 5  # values of one vocabulary a search narrows by, at most
FACETS = [  # (parameter, heading, model, the incident's field)
    ("region", _("Region"), Region, "regions"),
    ("agency", _("Agency"), Agency, "agencies"),
    ("person", _("Person"), Person, "people"),
    ("topic", _("Topic"), Topic, "topics"),
]
ORDER = [F("start_date").desc(nulls_last=True), "-pk"]


@dataclass
class Narrowed:
    incidents: QuerySet  # the published incidents that match, newest first
    chosen: dict = field(default_factory=dict)  # parameter -> the terms chosen
    year: int | None = None
    sources: int | None = None
    text: str = ""

    def page(self, number) -> tuple[Page, list[Incident]]:
        """One page of them (a count and a slice, not every match), with their places."""
        page = Paginator(self.incidents.prefetch_related("regions"), PER_PAGE).get_page(number)
        return page, list(page.object_list)


def narrowed(params: QueryDict) -> Narrowed:
    incidents = Incident.objects.published()
    chosen = {}
    for name, _heading, model, relation in FACETS:
        slugs = [s for s in params.getlist(name)[:MAX_VALUES] if s]
        through = getattr(Incident, relation).through
        column = getattr(Incident, relation).field.m2m_reverse_field_name()
        for term in model.objects.filter(slug__in=slugs):
            ids = term.subtree_ids() if hasattr(term, "subtree_ids") else [term.pk]
            tagged = through.objects.filter(**{f"{column}__in": ids}).values("incident_id")
            incidents = incidents.filter(pk__in=tagged)
            chosen.setdefault(name, []).append(term)
    year = number(params.get("year"), 1945, 2100)
    if year:
        incidents = incidents.filter(start_year=year)
    text = params.get("q", "")[:MAX_QUERY].strip()
    if text:
        incidents = incidents.filter(Q(title__icontains=text) | Q(summary__icontains=text))
    sources = number(params.get("sources"), 1, 100)
    if sources:
        incidents = incidents.filter(source_count__gte=sources)
    return Narrowed(incidents.order_by(*ORDER), chosen, year, sources, text)


def number(value, low: int, high: int) -> int | None:
    try:
        found = int(value or "")
    except ValueError:
        return None
    return found if low <= found <= high else None
