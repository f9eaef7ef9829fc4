"""Incidents as readers see them: ``/incidents/`` narrowed by place, body, person,
topic, year and how many independent sources stand behind each, and one incident's
page with the timeline of its reports, its sources by kind and any dispute.

Only published incidents, and of their links only those to published reports,
are seen or counted (``Incident.objects.published``, the counts kept by
``IncidentQuerySet.recount``, ``IncidentReport.objects.public``).
"""

from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..models import Incident, IncidentReport
from ..names import vocabulary
from ..search.incident_list import FACETS, narrowed
from ..search.links import hidden_inputs, url_with

SHOWN = 12  # values a facet lists
SOURCE_STEPS = [2, 3, 5]  # "at least N independent sources"


def incident_list(request):
    found = narrowed(request.GET)
    page, incidents = found.page(request.GET.get("page"))
    matching = found.incidents.values("pk")  # a subquery: the facets count over it
    context = {
        "page": page,
        "incidents": incidents,
        "total": page.paginator.count,
        "facets": _facets(request, matching, found.chosen),
        "years": _years(request, matching, found.year),
        "source_links": _source_links(request, found.sources),
        "chips": _chips(request, found),
        "query": found.text,
        "hidden": hidden_inputs(request.GET, leave_out=("page", "q")),
        "feed_query": url_with(request.GET).rstrip("?"),
        "previous_url": url_with(request.GET, page=page.previous_page_number())
        if page.has_previous()
        else None,
        "next_url": url_with(request.GET, page=page.next_page_number())
        if page.has_next()
        else None,
    }
    return render(request, "archive/incident_list.html", context)


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
            label = vocabulary.shown_name(name, term.slug, term.name)  # Korean first in Korean
            links.append({"label": label, "count": n, "url": url, "selected": on, "depth": 0})
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
    """Each step with how many of the incidents narrowed otherwise reach it."""
    others = narrowed(QueryDict(url_with(request.GET, sources=None)[1:])).incidents
    return [
        {
            "label": _("at least %(n)d independent sources") % {"n": n},
            "count": others.filter(source_count__gte=n).count(),
            "selected": n == sources,
            "url": url_with(request.GET, page=None, sources=None if n == sources else n),
            "depth": 0,
        }
        for n in SOURCE_STEPS
    ]


def _chips(request, found) -> list[dict]:
    """The filters chosen, each with the address without it, for the top of the list. A
    term is named only when a published incident carries it; else it reads as typed."""
    relations = {name: relation for name, _heading, _model, relation in FACETS}
    chips = []
    for name, terms in found.chosen.items():
        for term in terms:
            public = Incident.objects.published().filter(**{relations[name]: term}).exists()
            label = vocabulary.shown_name(name, term.slug, term.name) if public else term.slug
            rest = [s for s in request.GET.getlist(name) if s != term.slug]
            chips.append({"label": label, "url": url_with(request.GET, page=None, **{name: rest})})
    if found.year:
        chips.append({"label": str(found.year), "url": url_with(request.GET, page=None, year=None)})
    if found.sources:
        label = _("at least %(n)d independent sources") % {"n": found.sources}
        chips.append({"label": label, "url": url_with(request.GET, page=None, sources=None)})
    if found.text:
        chips.append({"label": f"“{found.text}”", "url": url_with(request.GET, page=None, q=None)})
    return chips


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


MAX_ON_A_REPORT = 20  # incidents a report's page names, at most


def incidents_of(report) -> list:
    """For a report's page: its published incidents (the links the public may see),
    with their counts as the list keeps them; one query, however many there are."""
    links = IncidentReport.objects.public().filter(report=report).select_related("incident")
    return list(links.order_by("-incident__report_count", "incident__pk")[:MAX_ON_A_REPORT])
