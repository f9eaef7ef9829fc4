"""Browse pages built on the search layer: home, terms, dates, report extras."""

from html import unescape

import pytest
from pytest_django.asserts import assertContains

from archive.models import Report

pytestmark = pytest.mark.django_db

BORDER = "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/"


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return unescape(response.content.decode())


def test_home_shows_main_terms_with_counts_and_the_histogram(client, demo):
    response = client.get("/")
    provinces = {link.url: link.count for link in response.context["provinces"]}
    agencies = {link.url: link.count for link in response.context["agencies"]}
    assert provinces["/regions/north-hamgyong/"] == 3
    assert agencies["/agencies/ministry-of-state-security/"] == 5
    assertContains(response, '<a href="/regions/north-hamgyong/">North Hamgyong</a>', html=True)
    html = page(client, "/")
    assert "<svg" in html and 'href="/search/?year=2024"' in html
    assert "4 reports with unknown dates are not shown in the chart." in html


def test_region_page_lists_agencies_reported_there_and_links_to_search(client, demo):
    response = client.get("/regions/ryanggang/")
    html = page(client, "/regions/ryanggang/")
    assert "2 published reports" in html
    related = {title: {link.url: link.count for link in links}
               for title, links in response.context["related"]}  # fmt: skip
    assert related["Agencies reported with it"]["/agencies/defense-security-command/"] == 1
    assert 'href="/search/?region=ryanggang"' in html
    # Counts are within Ryanggang's reports: North Hamgyong shares one of its two.
    assert related["Regions reported with it"]["/regions/north-hamgyong/"] == 1
    assert 'href="/regions/north-korea/">North Korea</a>' in html


def test_term_pages_page_through_their_reports(client, demo):
    assert "published report" in page(client, "/topics/corruption/")
    assert "published report" in page(client, "/sources/daily-nk/?page=abc")
    assert "published report" in page(client, "/sources/daily-nk/?page=²")
    page(client, "/regions/ryanggang/?page=9999", status=404)
    page(client, "/archive/2024/4/?page=9999", status=404)


def test_date_archive_years_months_reports(client, demo):
    years = page(client, "/archive/")
    assert 'href="/archive/2024/">2024</a> <span class="n">1' in years
    assert "4 reports have no known date." in years
    months = page(client, "/archive/2024/")
    assert 'href="/archive/2024/4/">April</a>' in months
    reports = page(client, "/archive/2024/4/")
    assert "state security agency cracks down" in reports
    page(client, "/archive/2023/", status=404)
    page(client, "/archive/2024/13/", status=404)


def test_report_page_has_citation_permalink_and_related_reports(client, demo):
    html = page(client, BORDER)
    assert "Cite this report" in html
    # Chicago: no date known, so "n.d." and the day it was consulted.
    chicago = "“N. Korea cracks down on corruption in border patrol.” Translated by Violet Kim. "
    assert chicago + "<i>Daily NK</i>, n.d. Accessed " in html
    assert "(Violet Kim, Trans.). (n.d.). Daily NK." in html  # APA
    assert f"http://testserver{BORDER}" in html
    related = client.get(BORDER).context["related"]
    assert len(related) >= 1
    assert BORDER not in [report.get_absolute_url() for report in related]  # never itself


def test_related_reports_are_published_only(client, demo):
    Report.objects.exclude(slug__contains="border-patrol").update(status="draft")
    from .conftest import index_now

    index_now()
    html = page(client, BORDER)
    assert '<section class="related"' not in html


def test_supplied_headline_is_marked_in_the_citation(client, demo):
    report = Report.objects.filter(headline_supplied=True).first()
    assert "[headline supplied by the archive]" in page(client, report.get_absolute_url())
