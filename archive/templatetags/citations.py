"""Citations in templates: formatted ones, ``<meta>`` tags, COinS, and a report's
download links."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..common.paths import absolute
from ..research.citations import Citation
from ..research.citations.embedded import coins, meta_tags
from ..research.citations.styles import apa, chicago

register = template.Library()

DOWNLOADS = (("bibtex", _("BibTeX")), ("ris", _("RIS")), ("csl", _("CSL-JSON")))


@dataclass
class Cited:
    chicago: SafeString
    apa: SafeString
    downloads: list[tuple[str, str]]  # (label, url)
    meta: list[tuple[str, str]]


@register.simple_tag(takes_context=True)
def citation(context, report) -> Cited:
    """``{% citation report as cited %}``: a report's citations, for its page."""
    accessed = context.get("accessed") or timezone.now()
    cited = Citation.of(
        report,
        absolute(report.get_absolute_url()),
        timezone.localdate(accessed),
        version=True,
    )
    downloads = [
        (label, reverse(f"archive:report-{fmt}", kwargs={"slug": report.slug}))
        for fmt, label in DOWNLOADS
    ]
    # The styles are English ones (Chicago's "translated by", APA's dates), whatever
    # the page's language: a citation is pasted into a bibliography as written.
    with translation.override("en"):
        return Cited(chicago(cited), apa(cited), downloads, meta_tags(cited))


@register.simple_tag(takes_context=True)
def coins_title(context, report) -> str:
    """``<span class="Z3988" title="{% coins_title report %}">``: an OpenURL for connectors."""
    permalink = absolute(report.get_absolute_url())
    return coins(Citation.of(report, permalink, timezone.localdate(), keywords=False))
