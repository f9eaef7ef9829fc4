"""Incidents as readers see them: ``/incidents/`` narrowed by place, body, person,
topic, year and how many independent sources stand behind each, and one incident's
page with the timeline of its reports, its sources by kind and any dispute.

Only published incidents, and of their links only those to published reports,
are seen or counted (``Incident.objects.published`` and ``with_sources``,
``IncidentReport.objects.public``).
"""

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..models import Agency, Incident, IncidentReport, Person, Region, Topic
from ..search.links import hidden_inputs, url_with

PER_PAGE = 20
MAX_QUERY = 200  # characters of a text filter looked at
FACETS = [  # (parameter, heading, model, the incident's field)
    ("region", _("Region"), Region, "regions"),
    ("agency", _("Agency"), Agency, "agencies"),
    ("person", _("Person"), Person, "people"),
    ("topic", _("Topic"), Topic, "topics"),
]
SHOWN = 12  # values a facet lists
SOURCE_STEPS = [2, 3, 5]  # "at least N independent sources"


def incident_list(request):
    incidents = Incident.objects.published()
    chosen = {}
    for name, _heading, model, field in FACETS:
        slugs = [s for s in request.GET.getlist(name)[:5] if s]
        through = getattr(Incident, field).through
        column = getattr(Incident, field).field.m2m_reverse_field_name()
        for term in model.objects.filter(slug__in=slugs):
            ids = term.subtree_ids() if hasattr(term, "subtree_ids") else [term.pk]
            tagged = through.objects.filter(**{f"{column}__in": ids}).values("incident_id")
            incidents = incidents.filter(pk__in=tagged)
            chosen.setdefault(name, []).append(term)
    year = _number(request.GET.get("year"), 1945, 2100)
    if year:
        incidents = incidents.filter(start_year=year)
    text = request.GET.get("q", "")[:MAX_QUERY].strip()
    if text:
        incidents = incidents.filter(Q(title__icontains=text) | Q(summary__icontains=text))
    sources = _number(request.GET.get("sources"), 1, 100)
    if sources:
        incidents = incidents.filter(source_count__gte=sources)
    order = [F("start_date").desc(nulls_last=True), "-pk"]
    ids = list(incidents.order_by(*order).values_list("pk", flat=True))
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    matching = incidents.values("pk")  # a subquery: the facets count over it
    shown = Incident.objects.filter(pk__in=list(page.object_list))
    context = {
        "page": page,
        "incidents": list(shown.prefetch_related("regions").order_by(*order)),
        "total": len(ids),
        "facets": _facets(request, matching, chosen),
        "years": _years(request, matching, year),
        "source_links": _source_links(request, sources),
        "query": text,
        "hidden": hidden_inputs(request.GET, leave_out=("page", "q")),
        "previous_url": url_with(request.GET, page=page.previous_page_number())
        if page.has_previous()
        else None,
        "next_url": url_with(request.GET, page=page.next_page_number())
        if page.has_next()
        else None,
    }
    return render(request, "archive/incident_list.html", context)


def _number(value, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def _facets(request, matching, chosen: dict) -> list[dict]:
    facets = []
    for name, heading, model, field in FACETS:
        through = getattr(Incident, field).through
        column = getattr(Incident, field).field.m2m_reverse_field_name()
        counts = (
            through.objects.filter(incident__in=matching)
            .values_list(column)
            .annotate(n=Count("incident"))
            .order_by("-n")[:SHOWN]
        )
        terms = model.objects.in_bulk([pk for pk, _n in counts])
        selected = {term.slug for term in chosen.get(name, [])}
        links = []
        for pk, n in counts:
            term = terms[pk]
            on = term.slug in selected
            values = [s for s in request.GET.getlist(name) if s != term.slug]
            url = url_with(request.GET, page=None, **{name: values if on else [*values, term.slug]})
            links.append({"label": term.name, "count": n, "url": url, "selected": on, "depth": 0})
        if links:
            facets.append({"name": name, "heading": heading, "links": links})
    return facets


def _years(request, matching, year: int | None) -> list[dict]:
    counts = (
        Incident.objects.filter(pk__in=matching, start_year__isnull=False)
        .values_list("start_year")
        .annotate(n=Count("pk"))
        .order_by("-start_year")
    )
    return [
        {
            "label": str(value),
            "count": n,
            "selected": value == year,
            "url": url_with(request.GET, page=None, year=None if value == year else value),
            "depth": 0,
        }
        for value, n in counts
    ]


def _source_links(request, sources: int | None) -> list[dict]:
    return [
        {
            "label": _("at least %(n)d independent sources") % {"n": n},
            "selected": n == sources,
            "url": url_with(request.GET, page=None, sources=None if n == sources else n),
        }
        for n in SOURCE_STEPS
    ]


def incident_detail(request, slug):
    incident = Incident.objects.published().filter(slug=slug).first()
    if incident is None:
        raise Http404("No such incident.")
    standing = incident.standing()
    return render(
        request,
        "archive/incident_detail.html",
        {
            "incident": incident,
            "standing": standing,
            "tags": [
                (heading, list(getattr(incident, field).all()))
                for _name, heading, _model, field in FACETS
            ],
        },
    )


def incidents_of(report) -> list[dict]:
    """For a report's page: its published incidents, each with how many independent
    sources other than this report's own stand behind it."""
    links = IncidentReport.objects.public().filter(report=report).select_related("incident")
    found = []
    for link in links:
        standing = link.incident.standing()
        others = {other.origin_id for other in standing.links} - {link.origin_id}
        found.append({"incident": link.incident, "stance": link, "others": len(others)})
    return found
