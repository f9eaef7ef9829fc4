from django.contrib.sitemaps import Sitemap

from .models import Agency, Region, Report, Source, Topic


class ReportSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Report.objects.published().order_by("pk")

    def lastmod(self, report):
        return report.updated


class TermSitemap(Sitemap):
    """Terms with at least one published report (others have no public page)."""

    changefreq = "weekly"
    priority = 0.4

    def items(self):
        published = Report.objects.published()
        terms = []
        for model, lookup in ((Agency, "report"), (Topic, "report"), (Source, "report")):
            terms += model.objects.filter(**{f"{lookup}__in": published}).distinct()
        regions = set()
        for region in Region.objects.filter(report__in=published).distinct():
            regions.update([region, *region.ancestors()])
        return terms + sorted(regions, key=lambda r: r.slug)


SITEMAPS = {"reports": ReportSitemap, "terms": TermSitemap}
