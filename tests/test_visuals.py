"""The map, the grids and the timelines: their counts are the search's, their links narrow."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive.models import AgencyAlias, Region, Report

from .conftest import DATA, index_now
from .factories import make_agency, make_region, make_report

pytestmark = pytest.mark.django_db
SEARCH = reverse("archive:search")


def page(client, url: str):
    response = client.get(url if url.startswith("/") else SEARCH + url)
    assert response.status_code == 200
    return response


def total(client, url: str) -> int:
    return page(client, url).context["results"].total


def facet_counts(response, name: str) -> dict[str, int]:
    return {v.value: v.count for v in response.context["results"].facets[name]}


def own_reports(region: Region) -> int:
    """Published reports tagged with the region and with no place inside it (ORM, to check)."""
    inside = set(region.subtree_ids()) - {region.pk}
    return sum(
        1
        for report in Report.objects.published().filter(regions=region).distinct()
        if not any(r.pk in inside for r in report.regions.all())
    )


def check_map(client, url: str):
    """Each circle's total is its region's facet count, and its link's total; with no
    narrowing, its own count is what the database says."""
    response = page(client, url)
    counts = facet_counts(response, "region")
    shown = response.context["map"]
    for circle in shown.circles + shown.off_map:
        assert circle.total == counts[circle.slug]
        if url == "?":
            assert circle.count == own_reports(Region.objects.get(slug=circle.slug))
        assert total(client, circle.url) == circle.total, circle.label
    return response


def check_grids(client, url: str):
    response = page(client, url)
    counts = facet_counts(response, "region")
    grids = response.context["grids"]
    assert len(grids) == 2
    followed = 0
    for grid in grids:
        for row in grid.rows:
            assert row.count == counts[row.value]
            for cell in row.cells:
                if cell.url:
                    assert total(client, cell.url) == cell.count, cell.label
                    followed += 1
    by_year = grids[1]
    if not response.context["results"].query.filters.get("year"):
        for row in by_year.rows:  # dated by year, or undated: every report once
            assert sum(cell.count for cell in row.cells) == row.count
    return response, followed


def test_map_counts_are_the_searchs_and_its_circles_narrow_to_their_places(client, demo):
    response = check_map(client, "?")
    shown = response.context["map"]
    assert shown.circles, "the demo reports are placed"
    html = response.content.decode()
    circle = shown.circles[0]
    assert f'href="{circle.url.replace("&", "&amp;")}"' in html
    assert f"<title>{circle.label}: {circle.count} report" in html
    assert "The places on the map, as a table" in html
    assert "Sea of Japan (East Sea)" in html and "China" in html
    # Narrowed by text and an agency, the map is of those results.
    check_map(client, "?q=border")
    agency = Report.objects.published().filter(agencies__isnull=False).first().agencies.first()
    check_map(client, f"?agency={agency.slug}")


def test_a_province_circle_holds_reports_placed_no_more_precisely(client, vocabularies):
    province = Region.objects.get(slug="ryanggang")
    city = Region.objects.filter(parent=province).exclude(latitude=None).first()
    make_report("In the province", regions=[province])
    make_report("In the city", regions=[city])
    make_report("In both", regions=[province, city])
    make_report("A draft", regions=[province], status=Report.Status.DRAFT)
    index_now()
    response = check_map(client, "?")
    circles = {c.slug: c for c in response.context["map"].circles}
    assert (circles["ryanggang"].count, circles["ryanggang"].total) == (1, 3)
    assert (circles[city.slug].count, circles[city.slug].total) == (2, 2)
    assert "(3 with places inside it)" in response.content.decode()
    # The counts follow the index as it changes.
    make_report("Later, in the province", regions=[province])
    index_now()
    circles = {c.slug: c for c in check_map(client, "?").context["map"].circles}
    assert (circles["ryanggang"].count, circles["ryanggang"].total) == (2, 4)


def test_places_without_coordinates_are_said_to_be_off_the_map(client, vocabularies):
    make_report("Dandong", regions=[Region.objects.get(slug="china")])
    make_report("Somewhere", regions=[make_region("Nowhere", kind=Region.Kind.COUNTY)])
    index_now()
    response = check_map(client, "?")
    off = response.context["map"].off_map
    assert {c.label for c in off} == {"China", "Nowhere"}
    assert "Also named, with no point on the map" in response.content.decode()


def test_grids_count_as_the_search_does_and_every_cell_narrows(client, demo):
    response, followed = check_grids(client, "?view=grid")
    assert followed
    html = response.content.decode()
    assert 'class="grid-box"' in html and "Reports by place and agency" in html
    check_grids(client, "?view=grid&q=border")


def test_the_grid_is_a_link_away_and_the_default_page_has_none(client, demo):
    response = page(client, "?q=border")
    assert "grids" not in response.context
    grid_url = response.context["grid_url"]
    assert "view=grid" in grid_url
    assert page(client, grid_url).context["grids"]


def test_provinces_open_into_their_places_and_undated_reports_have_a_column(client, vocabularies):
    province = Region.objects.get(slug="north-hamgyong")
    city = Region.objects.filter(parent=province).first()
    police = make_agency("Police", slug="police")
    make_report("Dated", regions=[city], agencies=[police], pub_year=2019)
    make_report("Undated", regions=[city], agencies=[police])
    make_report("Elsewhere", regions=[Region.objects.get(slug="ryanggang")], pub_year=2018)
    make_report("Draft", regions=[city], agencies=[police], status=Report.Status.DRAFT)
    index_now()
    response, _ = check_grids(client, "?view=grid")
    by_agency, by_year = response.context["grids"]
    rows = {row.value: row for row in by_agency.rows}
    assert city.slug not in rows  # closed
    assert rows["north-hamgyong"].count == 2
    response, _ = check_grids(client, rows["north-hamgyong"].toggle_url)
    by_agency, by_year = response.context["grids"]
    assert city.slug in {row.value for row in by_agency.rows}
    columns = [column.label for column in by_year.columns]
    assert columns == ["2018", "2019", "Undated"]
    row = next(row for row in by_year.rows if row.value == city.slug)
    assert [cell.count for cell in row.cells] == [0, 1, 1]
    assert row.cells[2].url is None  # no search narrows to undated reports
    assert "No agency" in [column.label for column in by_agency.columns]


def test_the_timeline_opens_a_year_into_its_months(client, demo):
    response = page(client, "?")
    bars = response.context["bars"]
    years = dict(response.context["results"].histogram)
    assert {bar.label: bar.count for bar in bars if bar.count} == years
    bar = next(bar for bar in bars if bar.count)
    opened = page(client, bar.url)
    months = opened.context["bars"]
    assert len(months) == 12 and sum(m.count for m in months) == bar.count
    assert f"{bar.label} by month" in opened.content.decode()
    assert total(client, opened.context["years_url"]) == response.context["results"].total
    for month in months:
        if month.count:
            assert total(client, month.url) == month.count


def test_a_term_page_marks_its_renaming_on_its_timeline(client, db):
    agency = make_agency("Ministry of Social Security", slug="ministry-of-social-security")
    AgencyAlias.objects.create(
        agency=agency, name="Ministry of People's Security", kind="former", used_until=2020
    )
    place = make_region("Hyesan", kind=Region.Kind.CITY, latitude=41.4, longitude=128.18)
    for year in (2018, 2020, 2022):
        make_report(f"Report of {year}", agencies=[agency], regions=[place], pub_year=year)
    make_report("No date", agencies=[agency], regions=[place])
    index_now()
    response = page(client, agency.get_absolute_url())
    html = response.content.decode()
    assert "2020: Ministry of People&#x27;s Security renamed Ministry of Social Security" in html
    assert [m.year for m in response.context["marks"]] == [2020]
    assert "1 report with an unknown date" in html
    # Its map and its year grid count its reports; their links keep to the agency.
    (circle,) = response.context["map"].circles
    assert circle.count == 4 and total(client, circle.url) == 4
    (by_year,) = response.context["grids"]
    for row in by_year.rows:
        for cell in row.cells:
            if cell.url:
                assert total(client, cell.url) == cell.count


def test_a_region_page_maps_and_grids_only_its_own_places(client, vocabularies):
    province = Region.objects.get(slug="ryanggang")
    city = Region.objects.filter(parent=province).exclude(latitude=None).first()
    army = make_agency("Army", slug="army")
    make_report("Both", regions=[city, Region.objects.get(slug="chagang")], agencies=[army])
    index_now()
    response = page(client, province.get_absolute_url())
    assert {c.slug for c in response.context["map"].circles} == {city.slug}
    for grid in response.context["grids"]:
        assert [row.value for row in grid.rows] == ["ryanggang", city.slug]
        for row in grid.rows:
            for cell in row.cells:
                if cell.url:
                    assert total(client, cell.url) == cell.count


def test_the_home_page_shows_the_map(client, demo):
    response = client.get(reverse("archive:home"))
    assert response.context["map"].circles
    circle = response.context["map"].circles[0]
    assert circle.url.startswith(SEARCH)
    assert total(client, circle.url) == circle.total


def test_a_kcna_sample_counts_the_same_on_map_and_grids(client, vocabularies):
    call_command(
        "import_reports",
        str(DATA / "kcna_hand_tagged.jsonl"),
        "--status",
        "published",
        verbosity=0,
    )
    index_now()
    response = check_map(client, "?")
    assert response.context["map"].circles
    _, followed = check_grids(client, "?view=grid")
    assert followed


def test_grid_and_map_links_are_the_search_forms_own_urls():
    from django.http import QueryDict

    from archive.pages.visuals.grids import narrowing
    from archive.search.links import url_with

    params = QueryDict("q=Bowibu+“SSD”&region=a&region=b&page=3&year=2019&month=2019-04")
    url = narrowing(params, "/search/")
    for changes in ({"region": ["hyesan"]}, {"region": ["x"], "year": ["2020"], "month": None}):
        assert url(**changes) == "/search/" + url_with(params, **changes)
