"""The site's navigation: an index page for each vocabulary, the dates, incidents, About."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..facets import TERMS
from ..names import vocabulary

register = template.Library()


@register.inclusion_tag("includes/site_nav.html", takes_context=True)
def site_nav(context) -> dict:
    """Links for the header, the one for the section being read marked current."""
    request = context.get("request")
    path = request.path if request is not None else ""
    links = [(f.plural, reverse(f"archive:{f.name}-index")) for f in TERMS]
    links += [
        (_("Dates"), reverse("archive:dates")),
        (_("Incidents"), reverse("archive:incidents")),
        (_("About"), reverse("archive:about")),
    ]
    return {"links": [(label, url, path.startswith(url)) for label, url in links]}


@register.filter
def shown(term) -> str:
    """``{{ term|shown }}``: its name as the reader reads it (in Korean, its Korean name
    first, where it has one)."""
    facet = next((f.name for f in TERMS if isinstance(term, f.model)), None)
    return vocabulary.shown_name(facet, term.slug, term.name) if facet else term.name
