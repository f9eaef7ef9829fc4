"""Atom feeds of incidents: new incidents matching a narrowing of ``/incidents/`` (its
parameters), and one incident's reports, so a reader hears when it gains a source.
Published incidents and published reports only, as on the pages."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.text import Truncator

from ..common.paths import absolute
from ..models import Incident, IncidentReport
from ..search.incident_list import narrowed
from ..search.links import url_with
from .feeds import FEED_LENGTH, SafeAtom, report_datetime


class IncidentsAtom(Feed):
    """The newest published incidents a narrowing of /incidents/ holds."""

    feed_type = SafeAtom

    def get_object(self, request):
        return request.GET

    def title(self, params):
        return "NK Security Reports Archive: incidents"

    def subtitle(self, params):
        return "New incidents in the NK Security Reports Archive, newest first."

    def link(self, params):
        return absolute(reverse("archive:incidents") + url_with(params).rstrip("?"))

    def feed_url(self, params):
        return absolute(reverse("archive:incidents-atom") + url_with(params).rstrip("?"))

    def items(self, params):
        found = narrowed(params).incidents.order_by("-publish_at", "-pk")
        return list(found[:FEED_LENGTH])

    def item_title(self, incident):
        return incident.title

    def item_description(self, incident):
        sources = incident.source_count
        counted = f"{sources} independent source{'s' if sources != 1 else ''}"
        return f"{counted}. {Truncator(incident.summary).words(60)}".strip()

    def item_link(self, incident):
        return absolute(incident.get_absolute_url())

    def item_pubdate(self, incident):
        return incident.publish_at

    def item_updateddate(self, incident):
        return incident.updated


class IncidentAtom(Feed):
    """One incident's published reports, newest first: each new one is an entry."""

    feed_type = SafeAtom

    def get_object(self, request, slug):
        incident = Incident.objects.published().filter(slug=slug).first()
        if incident is None:
            raise Http404("No such incident.")
        return incident

    def title(self, incident):
        return f"NK Security Reports Archive: {incident.title}"

    def subtitle(self, incident):
        return "Reports of this incident as they reach the archive."

    def link(self, incident):
        return absolute(incident.get_absolute_url())

    def feed_url(self, incident):
        return absolute(reverse("archive:incident-atom", kwargs={"slug": incident.slug}))

    def items(self, incident):
        links = IncidentReport.objects.public().filter(incident=incident)
        links = links.select_related("report__source").order_by("-report__publish_at")
        return list(links[:FEED_LENGTH])

    def item_title(self, link):
        return f"{link.report.title} ({link.get_stance_display()})"

    def item_description(self, link):
        origin = link.origin or (link.report.source.name if link.report.source else "")
        kind = link.get_origin_kind_display()
        return f"From {origin} ({kind})." if origin else f"From {kind}."

    def item_link(self, link):
        return absolute(link.report.get_absolute_url())

    def item_pubdate(self, link):
        return report_datetime(link.report)

    def item_updateddate(self, link):
        return link.report.first_published or link.report.publish_at
