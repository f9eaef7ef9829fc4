from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from .facets import TERMS
from .pages import browsing, feeds, incident_feeds, incidents, languages, views
from .pages.sitemaps import SITEMAPS
from .research import alert_views, exports, incident_exports, version_views
from .research.citations import views as citations

app_name = "archive"


def _by_format(prefix, view, formats, name):
    """A path for each download format: ``<prefix>.<extension>``, named ``<name>-<format>``."""
    return (
        path(f"{prefix}.{extension}", view, {"fmt": fmt}, name=f"{name}-{fmt}")
        for fmt, (extension, _) in formats.items()
    )


def _by_term(route, view, suffix=""):
    """A path for each vocabulary: ``<url_prefix>/<route>``, named ``<facet><suffix>``."""
    return (
        path(f"{facet.url_prefix}/{route}", view, {"model": facet.name}, name=facet.name + suffix)
        for facet in TERMS
    )


archive_patterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("search/", views.search_page, name="search"),
    path("search/rss/", feeds.SearchFeed(), name="search-rss"),
    path("search/atom/", feeds.SearchAtom(), name="search-atom"),
    path("feeds/latest/rss/", feeds.LatestReportsFeed(), name="latest-rss"),
    path("feeds/latest/atom/", feeds.LatestReportsAtom(), name="latest-atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
    path("robots.txt", views.robots, name="robots"),
    path("about/", browsing.about, name="about"),
    path("language/<str:code>/", languages.switch, name="language"),
    path("archive/", views.date_archive, name="dates"),
    path("archive/<int:year>/", views.date_archive, name="year"),
    path("archive/<int:year>/<int:month>/", views.date_archive, name="month"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/atom/", incident_feeds.IncidentsAtom(), name="incidents-atom"),
    path("incidents/<slug:slug>/", incidents.incident_detail, name="incident"),
    path("incidents/<slug:slug>/atom/", incident_feeds.IncidentAtom(), name="incident-atom"),
    path("reports/<slug:slug>/", views.report_detail, name="report"),
    path("reports/<slug:slug>/preview/", views.report_preview, name="report-preview"),
    path("reports/<slug:slug>/v<int:number>/", version_views.report_version, name="report-version"),
    path("reports/<slug:slug>/changes/", version_views.report_changes, name="report-changes"),
    path("alerts/", alert_views.subscribe, name="alerts"),
    path("alerts/confirm/<str:token>/", alert_views.confirm, name="alert-confirm"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe, name="alert-unsubscribe"),
    # Downloads of a whole search (exports and citations) and of one report's citation.
    *_by_format("search/export", exports.search_export, exports.FORMATS, "search"),
    *_by_format("incidents/export", incident_exports.incident_export, exports.FORMATS, "incidents"),
    *_by_format("search/cite", citations.search_citations, citations.FORMATS, "search"),
    *_by_format("reports/<slug:slug>/cite", citations.report_citation, citations.FORMATS, "report"),
    # An index of each vocabulary, e.g. /regions/, and a page for each of its terms,
    # e.g. /regions/ryanggang/.
    *_by_term("", browsing.term_index, "-index"),
    *_by_term("<slug:slug>/", views.term_detail),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("archive.research.api.urls")),
    path("", include((archive_patterns, "archive"))),
]
