from django.contrib import admin
from django.urls import include, path

from . import views

app_name = "archive"

archive_patterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("search/", views.search_page, name="search"),
    path("archive/", views.date_archive, name="dates"),
    path("archive/<int:year>/", views.date_archive, name="year"),
    path("archive/<int:year>/<int:month>/", views.date_archive, name="month"),
    path("reports/<slug:slug>/", views.report_detail, name="report"),
    path("reports/<slug:slug>/preview/", views.report_preview, name="report-preview"),
    path("regions/<slug:slug>/", views.term_detail, {"model": "region"}, name="region"),
    path("agencies/<slug:slug>/", views.term_detail, {"model": "agency"}, name="agency"),
    path("topics/<slug:slug>/", views.term_detail, {"model": "topic"}, name="topic"),
    path("sources/<slug:slug>/", views.term_detail, {"model": "source"}, name="source"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((archive_patterns, "archive"))),
]
