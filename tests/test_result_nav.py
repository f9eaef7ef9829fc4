"""A report reached from a search: back to the results, previous and next, words marked;
and related reports."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.models import Report
from archive.search.related import related

from .conftest import DEMO, index_now, load_snapshot
from .factories import make_agency, make_region, make_report, make_topic

pytestmark = pytest.mark.django_db


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def result_urls(client, search: str) -> list[str]:
    html = html_of(client, search)
    return [unescape(u) for u in re.findall(r'<h2 class="card-title"><a href="([^"]+)"', html)]


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="result-nav".*?</nav>', html, re.S)
    return unescape(found.group(0)) if found else ""


def quarries():
    for n in range(25):
        make_report(f"Quarry report {n}", pub_year=2000 + n)


@pytest.fixture
def many(db, tmp_path_factory, search_index):
    """The demo and 25 reports holding “quarry”, newest first by number (made once a
    session, as the demo is)."""
    load_snapshot(tmp_path_factory, search_index, DEMO, then=quarries)
    return list(Report.objects.filter(headline__startswith="Quarry report").order_by("-pk"))


def test_a_result_carries_its_search_and_place(client, many):
    urls = result_urls(client, "/search/?q=quarry&sort=newest")
    path, query = urls[1].split("?")
    assert path == many[1].get_absolute_url()
    assert parse_qs(query) == {"from": ["q=quarry&sort=newest"], "n": ["2"]}


def test_report_from_a_search_links_back_and_to_its_neighbours(client, many):
    html = html_of(client, result_urls(client, "/search/?q=quarry&sort=newest")[1])
    nav = nav_of(html)
    assert "← Back to results" in nav and "2 of 25" in nav
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*rel="(prev|next)"', nav))
    assert {rel: urlsplit(url).path for url, rel in links.items()} == {
        "prev": many[0].get_absolute_url(),
        "next": many[2].get_absolute_url(),
    }
    back = f'href="/search/?q=quarry&sort=newest#r-{many[1].slug}">← Back to results'
    assert back in nav
    # The card it goes back to is there, on that page.
    assert f'id="r-{many[1].slug}"' in html_of(client, "/search/?q=quarry&sort=newest")
    # The address with the search is the report's page for search engines too.
    assert f'<link rel="canonical" href="http://testserver{many[1].get_absolute_url()}">' in html
    # The next one knows it is third, and the 21st sends readers back to page 2.
    nav = nav_of(html_of(client, next(u for u, r in links.items() if r == "next")))
    assert "3 of 25" in nav
    nav = nav_of(html_of(client, result_urls(client, "/search/?q=quarry&sort=newest&page=2")[0]))
    assert "21 of 25" in nav and 'href="/search/?page=2&q=quarry&sort=newest#r-' in nav


def test_the_first_and_last_results_have_one_neighbour(client, many):
    first = nav_of(html_of(client, result_urls(client, "/search/?q=quarry&sort=newest")[0]))
    assert "1 of 25" in first and 'rel="prev"' not in first and 'rel="next"' in first
    last = result_urls(client, "/search/?q=quarry&sort=newest&page=2")[-1]
    nav = nav_of(html_of(client, last))
    assert "25 of 25" in nav and 'rel="next"' not in nav and 'rel="prev"' in nav


def test_a_draft_is_never_a_neighbour(client, many):
    make_report("Quarry draft", status=Report.Status.DRAFT, pub_year=2030)
    index_now()
    nav = nav_of(html_of(client, f"{many[0].get_absolute_url()}?from=q%3Dquarry&n=1"))
    assert "1 of 25" in nav and "draft" not in nav.lower()


BAD = [
    "from=%2F%2Fevil.example%2F&n=1",
    "from=https%3A%2F%2Fevil.example%2F%3Fq%3Dquarry&n=1",
    "from=q%3Dquarry&n=abc",
    "from=q%3Dquarry&n=0",
    "from=q%3Dquarry&n=99999999",
    "from=q%3Dquarry&n=7",  # not where this report stands
    "from=q%3D%00%FF%25&n=1",
    "from=region%3Dnowhere%26sort%3Dsideways%26page%3Dx&n=1",
    "from=" + "q%3Dquarry" * 300 + "&n=1",
    "n=1",
    "from=",
]


def test_a_bad_search_in_the_address_is_ignored(client, many):
    # One archive for all the cases (each would cost a second of set-up on PostgreSQL).
    for query in BAD:
        nav = nav_of(html_of(client, f"{many[0].get_absolute_url()}?{query}"))
        assert "evil.example" not in nav, query
        assert nav == "" or "Back to results" in nav, query
        assert "1 of 25" not in nav or "q%3Dquarry&n=1" in query, query


def test_a_mangled_search_still_links_only_to_the_search_page(client, many):
    nav = nav_of(html_of(client, f"{many[0].get_absolute_url()}?from=q%3Dquarry%26sort%3Dx&n=1"))
    back = re.search(r'href="([^"]+)">← Back', nav).group(1)
    assert back.startswith("/search/?") and "quarry" in back


def test_the_search_words_are_marked_in_the_report_even_by_another_name(client, demo):
    border = "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/"
    plain = html_of(client, border)
    assert "<mark>" not in plain.split('class="body"')[1]
    nav_url = next(u for u in result_urls(client, "/search/?q=Bowibu") if border in u)
    body = html_of(client, nav_url).split('class="body"')[1].split("</div>")[0]
    # Bowibu is another name of the Ministry of State Security, which the report names.
    assert re.search(r"<mark>(Ministry of )?State Security", body)
    nav_url = next(u for u in result_urls(client, "/search/?q=Hyesan") if border in u)
    body = html_of(client, nav_url).split('class="body"')[1].split("</div>")[0]
    assert "<mark>Hyesan</mark>" in body


def test_related_reports_share_tags_and_distinctive_words_unrelated_ones_do_not(demo):
    region, agency, topic = make_region("Zorbland"), make_agency("Zorb Bureau"), make_topic("Zorbs")
    text = "Smugglers of copper wire crossed the Tumen near the sawmill at dawn with lanterns."
    first = make_report("Copper wire smugglers", body=text, regions=[region], agencies=[agency])
    # Same place and body, one distinctive word in common: too little text alone.
    second = make_report(
        "Arrests in the valley",
        body="Guards arrested three men behind the sawmill after a tip.",
        regions=[region],
        agencies=[agency],
    )
    unrelated = make_report(
        "A report on something else",
        body="Farmers planted maize in the cooperative fields near the Tumen this spring.",
        topics=[topic],
    )
    for n in range(6):  # an archive of some size, so that words and tags can be rare
        make_report(f"Filler {n}", body=f"Officials met about the harvest plan number {n}.")
    index_now()
    found = related(first)
    assert second in found
    assert unrelated not in found
    assert related(unrelated) == []
