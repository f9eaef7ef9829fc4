"""Exports of a whole search: every matching report, the API's records, streamed, capped."""

import csv
import io
import json

import pytest
from django.test import override_settings

from archive.research import exports
from archive.research.api.schemas import Report as ReportSchema

from .conftest import index_now
from .factories import make_report

pytestmark = pytest.mark.django_db

SEARCHES = [
    "",
    "q=security",
    "region=ryanggang",
    "agency=bowibu&sort=oldest",
    "q=bowibu",
    "from=2024&to=2024",
    "q=nothingatall",
]


def download(client, url) -> tuple:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.streaming, "an export is streamed"
    return response, b"".join(response.streaming_content).decode()


def api_records(client, slugs) -> list[dict]:
    return [client.get(f"/api/v1/reports/{slug}/").json() for slug in slugs]


def page_slugs(client, params) -> list[str]:
    """Every report the search page lists, over all its pages, in order."""
    slugs, number = [], 1
    while True:
        results = client.get(f"/search/?{params}&page={number}").context["results"]
        slugs += [r.slug for r in results.reports]
        if number >= results.num_pages:
            return slugs
        number += 1


@pytest.mark.parametrize("params", SEARCHES)
def test_json_lines_hold_every_matching_report_as_the_api_gives_it(
    client, demo, monkeypatch, params
):
    monkeypatch.setattr(exports, "BATCH", 2)  # several searches for five reports
    response, text = download(client, f"/search/export.jsonl?{params}")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["slug"] for line in lines] == page_slugs(client, params)
    assert lines == api_records(client, [line["slug"] for line in lines])
    for line in lines:
        ReportSchema.model_validate(line)
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["X-Archive-Total"] == str(len(lines))
    assert response["Content-Disposition"].startswith('attachment; filename="nk-archive-search-')


@pytest.mark.parametrize("params", ["", "q=security&region=north-hamgyong"])
def test_csv_has_the_same_fields_flattened(client, demo, params):
    response, text = download(client, f"/search/export.csv?{params}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert list(rows[0]) == exports.columns()
    assert {
        "slug",
        "date.year",
        "date.precision",
        "source.name",
        "regions.slug",
        "regions.name",
        "body",
        "corrections.note",
    } <= set(exports.columns())
    expected = api_records(client, [row["slug"] for row in rows])
    assert [row["slug"] for row in rows] == page_slugs(client, params)
    for row, record in zip(rows, expected, strict=True):
        cells = exports.flatten(record)
        assert row == {column: cells.get(column, "") for column in exports.columns()}
    by_slug = {row["slug"]: row for row in rows}
    if not params:
        border = by_slug["n-korea-cracks-down-on-corruption-in-border-patrol"]
        assert "Hyesan" in border["regions.name"].split("; ")
        assert border["headline_supplied"] == "false" and border["date.year"] == ""


def test_the_cap_and_the_headers_say_how_many(client, demo, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 2)
    with override_settings(ARCHIVE_EXPORT_LIMIT=3):
        response, text = download(client, "/search/export.jsonl")
        assert len(text.splitlines()) == 3
        assert (response["X-Archive-Total"], response["X-Archive-Exported"]) == ("5", "3")
        assert "Download the first 3:" in client.get("/search/").content.decode()
    assert "Download all:" in client.get("/search/").content.decode()


def test_a_spreadsheet_formula_is_not_run(client, demo):
    make_report("=HYPERLINK(&quot;http://evil&quot;)", slug="formula", body="Formula report.")
    index_now()
    _, text = download(client, "/search/export.csv?q=formula")
    row = next(csv.DictReader(io.StringIO(text[1:])))
    assert row["headline"].startswith("'=HYPERLINK")
    _, lines = download(client, "/search/export.jsonl?q=formula")
    assert json.loads(lines)["headline"].startswith("=HYPERLINK")


def test_the_search_page_links_the_downloads_of_what_it_shows(client, demo):
    html = client.get("/search/?q=security&region=ryanggang&page=1").content.decode()
    assert 'href="/search/export.csv?q=security&amp;region=ryanggang"' in html
    assert 'href="/search/cite.bib?q=security&amp;region=ryanggang"' in html
    # "Showing results for Security": the download holds those results, not none.
    html = client.get("/search/?q=Secruity").content.decode()
    assert 'href="/search/export.jsonl?q=Security"' in html
    assert "Download" not in client.get("/search/?q=nothingatall").content.decode()


@override_settings(ARCHIVE_EXPORT_RATE="1/hour")
def test_downloads_of_whole_searches_are_throttled(client, demo):
    from django.core.cache import cache

    cache.clear()
    assert client.get("/search/export.csv").status_code == 200
    refused = client.get("/search/cite.ris")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # One report's citation is not a bulk download.
    slug = "safety-agents-quit-for-safer-jobs"
    assert client.get(f"/reports/{slug}/cite.ris").status_code == 200
    cache.clear()


@pytest.mark.parametrize("start", [" =", "\n=", "\u00a0=", "\t =", "  +", " @", "＝"])
def test_a_formula_after_white_space_is_not_run_either(client, demo, start):
    make_report("Formula", slug="formula", body="Formula report.", reporter=f"{start}1+1")
    index_now()
    _, text = download(client, "/search/export.csv?q=formula")
    row = next(csv.DictReader(io.StringIO(text[1:])))
    assert row["reporter"] == f"'{start}1+1"
