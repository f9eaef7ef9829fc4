from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..common.paths import site
from ..facets import TERMS
from ..models import Incident, Report, TreeNode


class SiteSitemap(Sitemap):
    """Addresses on the configured site (``ARCHIVE_SITE_URL``), not the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(site()).scheme

    def get_domain(self, site_=None):
        return urlsplit(site()).netloc


class ReportSitemap(SiteSitemap):
    changefreq = "monthly"

    def items(self):
        return Report.objects.published().order_by("pk")

    def lastmod(self, report):
        return report.updated


class IncidentSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Incident.objects.published().order_by("pk")

    def lastmod(self, incident):
        return incident.updated


class TermSitemap(SiteSitemap):
    """Terms with at least one published report (others have no public page)."""

    changefreq = "weekly"
    priority = 0.4

    def items(self):
        published = Report.objects.published()
        terms = []
        for facet in TERMS:
            found = set()
            for term in facet.model.objects.filter(report__in=published).distinct():
                found.add(term)
                if facet.tree and isinstance(term, TreeNode):
                    found.update(term.ancestors())  # a province counts its counties' reports
            terms += sorted(found, key=lambda t: t.slug)
        return terms


class PageSitemap(SiteSitemap):
    """The pages for browsing: each vocabulary's index, the dates, About."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return [f"archive:{facet.name}-index" for facet in TERMS] + [
            "archive:dates",
            "archive:incidents",
            "archive:about",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "reports": ReportSitemap,
    "incidents": IncidentSitemap,
    "terms": TermSitemap,
}
