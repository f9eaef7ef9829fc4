"""Browse pages built on the search layer: home, terms, dates, report extras."""

from html import unescape

import pytest
from pytest_django.asserts import assertContains

from archive.facets import TERMS
from archive.models import Report

from .conftest import index_now

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
    related = {
        title: {link.url: link.count for link in links}
        for title, links in response.context["related"]
    }
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


@pytest.mark.parametrize("facet", TERMS, ids=lambda f: f.name)
def test_every_vocabulary_has_an_index_page_with_counts(client, demo, facet):
    response = client.get(f"/{facet.url_prefix}/")
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert f"<h1>{facet.plural}</h1>" in html
    # Each term published reports carry is listed, linked, with its count.
    published = Report.objects.published()
    for term in facet.model.objects.filter(report__in=published).distinct():
        count = published.filter(pk__in=term.tagged_reports().values("pk")).count()
        assert (
            f'<a href="{term.get_absolute_url()}">{term.name}</a> <span class="n">{count}' in html
        )


def test_region_index_is_a_tree_of_provinces_and_their_counties(client, demo):
    response = client.get("/regions/")

    def find(entries, label):
        for entry in entries:
            if entry.label == label:
                return entry
            found = find(entry.children, label)
            if found:
                return found

    north_korea = find(response.context["tree"], "North Korea")
    ryanggang = find(north_korea.children, "Ryanggang")
    assert ryanggang.count == 2
    assert "Samsu County" in [child.label for child in ryanggang.children]
    html = unescape(response.content.decode())
    start = html.index('<a href="/regions/ryanggang/">Ryanggang</a> <span class="n">2</span>')
    nested = html[start : html.index("</ul>", start)]
    assert "<ul>" in nested and '<a href="/regions/samsu-county/">Samsu County</a>' in nested


def test_long_index_pages_jump_by_letter_and_show_other_names_small(client, demo):
    from archive.pages.browsing import LETTERS_FROM

    from .factories import make_agency, make_report

    agencies = [make_agency(f"{letter} Bureau {n}") for n in range(3) for letter in "ABCDEFGHIJK"]
    assert len(agencies) > LETTERS_FROM
    make_report("Many bureaus", agencies=agencies)
    index_now()
    html = page(client, "/agencies/")
    assert '<nav class="letters"' in html and '<a href="#letter-k">K</a>' in html
    assert '<h2 id="letter-k">K</h2>' in html
    # The Ministry of State Security goes by Bowibu and others.
    assert '<small class="aliases">' in html and "Bowibu" in html
    # Few topics: no jump.
    assert '<nav class="letters"' not in page(client, "/topics/")


def test_index_leaves_out_terms_only_drafts_carry(client, demo):
    from .factories import make_report, make_topic

    make_report("A draft", status=Report.Status.DRAFT, topics=[make_topic("Secret topic")])
    index_now()
    assert "Secret topic" not in page(client, "/topics/")


def test_header_links_every_vocabulary_the_dates_and_about(client, demo):
    html = page(client, "/regions/")
    nav = html[html.index('<nav class="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    for facet in TERMS:
        assert f'href="/{facet.url_prefix}/"' in nav
    assert 'href="/archive/"' in nav and 'href="/about/"' in nav
    assert '<a href="/regions/" aria-current="page">Regions</a>' in nav


def test_about_page_explains_tags_names_dates_and_credits(client, demo):
    html = page(client, "/about/")
    assert f"holds {Report.objects.published().count()} published reports" in html
    for words in (
        "Not every report is fully tagged",
        "Hamkyung",
        "Bowibu",
        "Date unknown",
        "never invented",
        "GeoNames",
        "CC BY 4.0",
        "OFAC",
    ):
        assert words in html, words


def test_sitemap_lists_the_index_pages_and_about(client, demo):
    body = page(client, "/sitemap.xml")
    for path in [*(f"/{facet.url_prefix}/" for facet in TERMS), "/about/", "/archive/"]:
        assert f"<loc>http://testserver{path}</loc>" in body
