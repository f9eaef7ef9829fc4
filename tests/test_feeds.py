"""Feeds, sitemap, OpenSearch and robots.txt: public, and published reports only."""

import xml.etree.ElementTree as ElementTree

import pytest

from archive.models import Region, Report

from .conftest import index_now
from .factories import make_region, make_report

pytestmark = pytest.mark.django_db

SECRET = "Safety agents quit"


@pytest.fixture
def one_draft(demo):
    Report.objects.filter(headline__startswith=SECRET).update(status="draft")
    index_now()


def text(client, url, content_type) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith(content_type)
    return response.content.decode()


@pytest.mark.parametrize("url", ["/feeds/latest/rss/", "/feeds/latest/atom/"])
def test_latest_feeds_list_published_reports(client, one_draft, url):
    body = text(client, url, "application/")
    assert body.count("<item>") + body.count("<entry>") == 4
    assert "border patrol" in body and SECRET not in body
    assert "<category" in body


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_any_search_has_a_feed_with_the_same_parameters(client, one_draft, kind):
    body = text(client, f"/search/{kind}/?q=agents&region=north-hamgyong", "application/")
    assert "search for agents" in body
    assert body.count("<item>") + body.count("<entry>") == 2
    assert SECRET not in body
    assert text(client, f"/search/{kind}/?page=zz&region=atlantis", "application/")


def test_search_page_links_its_feeds(client, demo):
    html = client.get("/search/?q=agents").content.decode()
    assert 'href="/search/atom/?q=agents"' in html and 'href="/search/rss/?q=agents"' in html


def test_sitemap_lists_published_reports_and_their_terms(client, one_draft):
    body = text(client, "/sitemap.xml", "application/xml")
    assert "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/" in body
    assert "safety-agents-quit" not in body
    assert "/regions/ryanggang/" in body and "/regions/north-korea/" in body
    assert "/regions/chagang/" not in body  # no published report: no page


def test_opensearch_and_robots(client, demo):
    body = text(client, "/opensearch.xml", "application/opensearchdescription+xml")
    assert 'template="http://testserver/search/?q={searchTerms}"' in body
    assert 'rel="search"' in client.get("/").content.decode()
    robots = text(client, "/robots.txt", "text/plain")
    assert "Disallow: /admin/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


FEEDS = ["/feeds/latest/rss/", "/feeds/latest/atom/", "/search/rss/", "/search/atom/"]


@pytest.mark.parametrize("url", FEEDS)
def test_control_characters_already_stored_break_no_feed(client, url):
    """A soft line break pasted into a headline (a vertical tab), stored before the archive
    refused it or put there by a bulk update, which no clean sees."""
    place = make_region("Hyesan", slug="hyesan")
    report = make_report("Arrests", body="Twelve people were arrested.", regions=[place])
    Report.objects.filter(pk=report.pk).update(
        headline="Arrests\vin Hyesan", dek="Twelve\x0cpeople\x01 held", body="Text\x1b."
    )
    Region.objects.filter(pk=place.pk).update(name="Hye\x0bsan")
    index_now()
    response = client.get(url)
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)  # well-formed XML 1.0
    shown = " ".join(feed.itertext())
    assert "Arrests in Hyesan" in shown  # the line break reads as a space
    assert "Twelve people held" in shown


def entries(body: str) -> dict[str, ElementTree.Element]:
    """Atom entries by title."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(body)
    return {e.findtext("a:title", namespaces=ns): e for e in root.findall("a:entry", ns)}


def test_feed_items_are_dated_by_the_reports_own_date(client, demo):
    import datetime

    make_report("Known day", pub_year=2019, pub_month=3, pub_day=7, pub_time=datetime.time(14, 30))
    partial = make_report("Known year only", pub_year=2018)
    unknown = make_report("No date at all")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    found = entries(text(client, "/feeds/latest/atom/", "application/atom+xml"))
    assert found["Known day"].findtext("a:published", namespaces=ns) == "2019-03-07T14:30:00+00:00"
    # A partial or unknown date: when the archive published it, never a day made up.
    for report in (partial, unknown):
        published = found[report.headline].findtext("a:published", namespaces=ns)
        assert published == report.first_published.isoformat()
    rss = text(client, "/feeds/latest/rss/", "application/rss+xml")
    assert "<pubDate>Thu, 07 Mar 2019 14:30:00 +0000</pubDate>" in rss


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_search_feed_links_to_itself_and_its_search_with_the_query(client, demo, kind):
    body = text(client, f"/search/{kind}/?q=agents&region=north-hamgyong", "application/")
    query = "q=agents&amp;region=north-hamgyong"
    assert f'href="http://testserver/search/{kind}/?{query}" rel="self"' in body
    if kind == "rss":
        assert f"<link>http://testserver/search/?{query}</link>" in body
    else:
        assert f'href="http://testserver/search/?{query}" rel="alternate"' in body


def test_titles_and_descriptions_escape_one_way_per_format(client):
    """A headline "Fish & <b>chips</b>" reads as typed in every feed reader: RSS titles
    and descriptions are read as HTML, Atom titles as text and summaries as HTML."""
    make_report("Fish & <b>chips</b>", dek="Salt & <i>vinegar</i>")
    index_now()
    rss = ElementTree.fromstring(client.get("/feeds/latest/rss/").content)
    item = rss.find("channel/item")
    assert item.find("title").text == "Fish &amp; &lt;b&gt;chips&lt;/b&gt;"
    assert item.find("description").text == "Salt &amp; &lt;i&gt;vinegar&lt;/i&gt;"
    search = ElementTree.fromstring(client.get("/search/rss/?q=%3Cb%3E+fish").content)
    assert "&lt;b&gt; fish" in search.find("channel/title").text
    atom = ElementTree.fromstring(client.get("/feeds/latest/atom/").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = atom.find("a:entry", ns)
    assert entry.find("a:title", ns).text == "Fish & <b>chips</b>"
    summary = entry.find("a:summary", ns)
    assert summary.get("type") == "html"
    assert summary.text == "Salt &amp; &lt;i&gt;vinegar&lt;/i&gt;"
