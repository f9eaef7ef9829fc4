"""Incidents as readers see them: ``/incidents/`` narrowed by place, body, person,
topic, year and how many independent sources stand behind each, and one incident's
page with the timeline of its reports, its sources by kind and any dispute.

Only published incidents, and of their links only those to published reports,
are seen or counted (``Incident.objects.published``, the counts kept by
``IncidentQuerySet.recount``, ``IncidentReport.objects.public``).
"""

from django.db.models import Count
from django.http import Http404
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
