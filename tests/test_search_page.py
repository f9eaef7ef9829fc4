"""The search page: facets, chips, sorting, paging, histogram and bad parameters."""

import re
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
    return [card.report.title for card in response.context["cards"]]


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


@pytest.fixture
def thirty(site):
    from .factories import make_report

    reports = [make_report(f"Quarry report {n}", pub_year=2000 + n % 10) for n in range(30)]
    index_now()
    return reports


def test_readers_choose_20_50_or_100_reports_a_page(client, thirty):
    assert len(titles(client, "/search/?q=quarry")) == 20
    assert len(titles(client, "/search/?q=quarry&per_page=50")) == 30
    html = page(client, "/search/?q=quarry")
    assert 'href="?per_page=50&q=quarry">50</a>' in html
    assert 'href="?page=2&q=quarry">2</a>' in html
    # The choice is kept by the pager, the facets and the sorts.
    html = page(client, "/search/?q=quarry&per_page=100")
    assert '<strong aria-current="true">100</strong>' in html
    assert "per_page=100" in html.split('class="sorts"')[1].split("</p>")[0]
    # Anything else is named and the default used.
    html = page(client, "/search/?q=quarry&per_page=5000")
    assert "“5000” reports a page is not offered (20, 50, 100); showing 20." in html
    assert len(titles(client, "/search/?q=quarry&per_page=abc")) == 20


def test_a_page_past_the_last_names_the_pages_in_words(client, thirty):
    assert "There are only 2 pages; showing the last one." in page(client, "/search/?page=50")


def test_counts_have_thousands_separators(client, site):
    from django.template.loader import render_to_string

    from archive.pages.cards import TermLink
    from archive.search.links import FacetLink
    from archive.search.running import FacetValue

    links = [FacetLink("hyesan", "Hyesan", 12345, False, "?region=hyesan")]
    assert '<span class="n">12,345</span>' in render_to_string(
        "includes/facet_links.html", {"links": links}
    )
    terms = [TermLink("Hyesan", 1234567, "/regions/hyesan/")]
    assert '<span class="n">1,234,567</span>' in render_to_string(
        "includes/term_counts.html", {"links": terms, "title": "Regions"}
    )
    pages = {"last": 2000, "pages": [(1000, "?page=1000", True, False)]}
    assert "1,000" in render_to_string("includes/search_pagination.html", {"pages": pages})
    html = render_to_string(
        "archive/date_archive.html", {"years": [FacetValue("2012", "2012", 1234)], "undated": 4321}
    )
    assert "4,321 reports have no known date." in html and '<span class="n">1,234</span>' in html


def test_a_suggested_name_is_written_as_the_term_is():
    from archive.search.did_you_mean import correct

    names = {"pyongyang": ["Pyongyang"]}
    correction = correct(
        "pyongyng markets",
        0,
        spelling=lambda words: {"pyongyng": ["pyongyang"]},
        near_names=lambda word: names.get(word, []),
        hits=lambda text: 3,
    )
    assert correction.text == "Pyongyang markets"


def test_a_lone_year_is_a_narrow_bar(client, site):
    bars = client.get("/").context["bars"]
    assert len(bars) == 1 and bars[0].width <= 600 / 10  # a tenth of the chart at most


def test_a_month_lists_its_reports_under_each_day_then_those_of_unknown_day(client, site):
    from .factories import make_report

    make_report("Late in June", pub_year=2019, pub_month=6, pub_day=17)
    make_report("Early in June", pub_year=2019, pub_month=6, pub_day=3)
    make_report("Also early", pub_year=2019, pub_month=6, pub_day=3)
    make_report("Some day in June", pub_year=2019, pub_month=6)
    index_now()
    days = client.get("/archive/2019/6/").context["days"]
    assert [(d.heading, sorted(c.report.title for c in d.cards)) for d in days] == [
        ("June 3, 2019", ["Also early", "Early in June"]),
        ("June 17, 2019", ["Late in June"]),
        ("Day not known", ["Some day in June"]),
    ]
    html = page(client, "/archive/2019/6/")
    assert '<h2 class="day-heading" id="day-unknown">Day not known</h2>' in html


def test_phones_see_an_ellipsis_where_they_leave_out_pages(client, thirty):
    from archive.models import IndexChange

    from .factories import make_many_reports

    IndexChange.objects.enqueue([r.pk for r in make_many_reports(110, headline="Quarry note")])
    index_now()
    # 140 reports, 20 a page: 7 pages, all numbered; phones show 1 2 [3] 4 … 7.
    pages = client.get("/search/?q=quarry&page=3").context["pages"]["pages"]
    shown = [("…" if n is None else n, far) for n, _, _, far in pages]
    assert shown == [
        (1, False),
        (2, False),
        (3, False),
        (4, False),
        ("…", True),
        (5, True),
        (6, True),
        (7, False),
    ]
    html = page(client, "/search/?q=quarry&page=3")
    gap = '<span class="gap phone-gap" aria-hidden="true">…</span>'
    assert gap + '<a href="?page=5&q=quarry" class="far">5</a>' in html


def test_a_chosen_years_months_do_not_push_other_years_behind_show_all(client, site):
    from .factories import make_report

    for year in range(2011, 2021):
        for month in range(1, 13):
            make_report(f"Monthly {year} {month}", pub_year=year, pub_month=month)
    index_now()
    boxes = client.get("/search/?year=2020").context["facets"]
    years = next(box for box in boxes if box.name == "year")
    top_years = [link.label for link in years.top if link.depth == 0]
    top_months = [link.label for link in years.top if link.depth == 1]
    assert len(top_years) == 8 and "2020" in top_years  # eight years, as without a choice
    assert len(top_months) == 12  # and 2020's months under it


def test_on_a_phone_the_latest_years_label_is_never_the_one_left_out(client, site):
    from .factories import make_report

    for year in range(2011, 2025):  # fourteen years: every other label is hidden on phones
        make_report(f"Yearly {year}", pub_year=year)
    index_now()
    html = page(client, "/search/?q=yearly")
    labels = re.findall(r'class="bar-label( alternate)?">(\d{4})</text>', html)
    assert labels[-1] == ("", "2024")  # the last bar keeps its label
    assert [year for hidden, year in labels if hidden] == [str(y) for y in range(2011, 2024, 2)]
