"""The search page: facets, chips, sorting, paging, histogram and bad parameters."""

from html import unescape

import pytest
from pytest_django.asserts import assertContains

from .conftest import index_now


@pytest.fixture
def site(demo, search_index):
    index_now()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


def titles(client, url) -> list[str]:
    """The headlines of the reports the page lists, in order."""
    response = client.get(url)
    assert response.status_code == 200, url
    return [report.title for report in response.context["reports"]]


def test_search_box_on_every_page(client, site):
    for url in ["/", "/search/", "/regions/ryanggang/"]:
        assert 'action="/search/"' in page(client, url)


def test_words_find_reports_with_highlighted_snippets(client, site):
    html = page(client, "/search/?q=Hyesan")
    assert titles(client, "/search/?q=Hyesan") == [
        "N. Korea cracks down on corruption in border patrol"
    ]
    assert "<mark>Hyesan</mark>" in html
    assert "1 report" in html


def test_facets_combine_or_within_and_across(client, site):
    assert len(titles(client, "/search/?region=hyesan&region=uiju-county")) == 2
    none = "/search/?region=hyesan&agency=ministry-of-social-security"
    assert titles(client, none) == [] and "No reports match" in page(client, none)


def test_chosen_values_become_removable_chips(client, site):
    response = client.get("/search/?q=security&region=ryanggang&topic=corruption")
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert list(chips) == ["Region: Ryanggang", "Topic: Corruption and bribery"]
    assert chips["Region: Ryanggang"] == "?q=security&topic=corruption"
    assertContains(response, '<a class="clear" href="?q=security">Clear all</a>', html=True)


def test_region_facet_is_a_tree_with_counts(client, site):
    boxes = client.get("/search/").context["facets"]
    links = {link.label: link for box in boxes if box.name == "region" for link in box.top}
    ryanggang, hyesan = links["Ryanggang"], links["Hyesan"]
    assert hyesan.depth == ryanggang.depth + 1
    assert (ryanggang.count, hyesan.count) == (2, 1)


def test_sorting_and_paging_are_links(client, site):
    html = page(client, "/search/?q=korea")
    assert 'href="?q=korea&amp;sort=newest"' in client.get("/search/?q=korea").content.decode()
    assert "Relevance" in html
    oldest = titles(client, "/search/?sort=oldest")
    newest = titles(client, "/search/?sort=newest")
    assert oldest[0] == newest[0]  # the only dated report leads both: undated come last
    assert oldest[0].startswith("N. Korea’s state security agency")


def test_histogram_bars_link_to_their_year(client, site):
    html = page(client, "/search/")
    assert "<svg" in html and 'href="?year=2024"' in html


def test_did_you_mean_also_on_zero_results(client, site):
    response = client.get("/search/?q=secrurityy")  # two letters off: offered, not shown
    assert response.context["results"].suggestion == "security"
    assertContains(response, 'Did you mean <a href="?q=security">security</a>?', html=True)
    assertContains(response, "No reports match")


def test_a_clear_misspelling_shows_the_corrected_results(client, site):
    response = client.get("/search/?q=Secruity")  # one letter off, and nothing found
    assertContains(response, "Showing results for <strong>Security</strong>")
    assertContains(response, '<a href="?exact=1&amp;q=Secruity">Secruity</a>')
    assert response.context["results"].total > 0
    # "Search instead for" the typed word: no correction, and no results.
    response = client.get("/search/?q=Secruity&exact=1")
    assert response.context["results"].total == 0
    assert response.context["results"].corrected_from is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/search/?page=abc", "There is no page “abc”"),
        ("/search/?page=500", "There is only one page of results; showing it."),
        ("/search/?page=99999", "There is no page “99999”"),
        ("/search/?page=-3", "There is no page “-3”"),
        ("/search/?from=2024-13-45", "is not a date"),
        ("/search/?sort=random", "Unknown sort"),
        ("/search/?region=atlantis", "There is no region “atlantis”"),
        ("/search/?colour=red&region=ryanggang", None),
        ("/search/?q=" + "x" * 900, "cut to its first 500 characters"),
        ("/search/?q=%00%01(((%22*:?", None),
        ("/search/?q=AND+OR+NOT", None),
        ("/search/?year=20x4", "There is no year"),
        ("/search/?from=2025&to=2019", "swapped"),
        ("/search/?page=²", "There is no page “²”"),
        ("/search/?page=" + "9" * 5000, "There is no page"),
        ("/search/?to=9999-12", "is not a date"),
        ("/search/?q=stamp:x", None),
    ],
)
def test_bad_parameters_give_a_page_with_a_message(client, site, url, message):
    html = page(client, url)
    if message:
        assert message in html


def test_date_range_filter(client, site):
    assert len(titles(client, "/search/?from=2024-04&to=2024-04")) == 1
    assert titles(client, "/search/?to=2023") == []


def test_unpublished_reports_are_not_searchable(client, site):
    from archive.models import Report

    Report.objects.filter(slug="safety-agents-quit-for-safer-jobs").update(status="draft")
    index_now()
    html = page(client, "/search/?q=safety")
    assert "Safety agents quit" not in html


def test_a_term_only_drafts_use_is_unknown_to_the_search(client, site):
    from archive.models import Report, Topic

    secret = Topic.objects.create(name="Secret topic", slug="secret-topic")
    report = Report.objects.get(slug="safety-agents-quit-for-safer-jobs")
    Report.objects.filter(pk=report.pk).update(status="draft")
    report.topics.add(secret)
    index_now()
    html = page(client, "/search/?topic=secret-topic")
    assert "Secret topic" not in html
    assert "There is no topic “secret-topic”" in html


def test_histogram_counts_only_the_chosen_years(client, site):
    html = page(client, "/search/?year=2023&year=2024")
    assert "1 report" in html
    assert "not shown in the chart" not in html  # no negative "unknown" counts


def test_indexed_text_is_not_html_escaped(client, site):
    assert titles(client, "/search/?q=x27") == []
    assert len(titles(client, "/search/?q=%22People%27s+Army%22")) == 1


def test_chips_write_every_date_the_way_report_dates_are_written(client, site):
    response = client.get("/search/?year=2024&month=2024-04&from=2024-04&to=2024-04-30")
    labels = [chip.label for chip in response.context["chips"]]
    assert labels == ["Year: 2024", "Month: April 2024", "From April 1, 2024", "To April 30, 2024"]
