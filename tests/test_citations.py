"""Citations: BibTeX and RIS that parsers read back, CSL-JSON, Chicago and APA,
<meta> tags and COinS; undated and partly dated reports cited honestly."""

import datetime
import json
from html.parser import HTMLParser
from urllib.parse import parse_qs

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from archive.models import Report
from archive.research.citations import Citation
from archive.research.citations.embedded import meta_tags
from archive.research.citations.formats import bibtex, csl, ris
from archive.research.citations.styles import apa, chicago

from .factories import make_report

BORDER = "n-korea-cracks-down-on-corruption-in-border-patrol"
DATED = "n-koreas-state-security-agency-cracks-down-on-corruption-in-offices-along-border"
SUPPLIED = "north-korea-overhauls-selection-of-security-officers-sent-overseas-after-abuse"
ACCESSED = datetime.date(2026, 11, 30)


def cite(**fields) -> Citation:
    """A citation of an unsaved report: only what a test names is set."""
    fields.setdefault("headline", "Border guards punished")
    fields.setdefault("slug", "border-guards-punished")
    report = Report(**fields)
    return Citation.of(
        report, f"https://archive.example/reports/{report.slug}/", ACCESSED, keywords=False
    )


def parse_bibtex(text: str) -> dict:
    """One entry's fields: LaTeX decoded, except the URL (which is verbatim in BibTeX)."""
    raw = bibtexparser.parse_string(text)
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert raw.failed_blocks == [] and len(raw.entries) == 1
    fields = {f.key: f.value for f in decoded.entries[0].fields}
    fields["url"] = raw.entries[0]["url"].strip("{}")
    fields["ENTRYTYPE"], fields["ID"] = raw.entries[0].entry_type, raw.entries[0].key
    return fields


# --- Dates: only what the report states ------------------------------------------


@pytest.mark.parametrize(
    ("date", "chicago_date", "apa_date", "year", "iso", "csl_parts"),
    [
        (
            {"pub_year": 2024, "pub_month": 4, "pub_day": 19},
            "April 19, 2024",
            "(2024, April 19)",
            "2024",
            "2024-04-19",
            [2024, 4, 19],
        ),
        (
            {"pub_year": 2024, "pub_month": 4},
            "April 2024",
            "(2024, April)",
            "2024",
            "2024-04",
            [2024, 4],
        ),
        ({"pub_year": 2024}, ", 2024.", "(2024)", "2024", "2024", [2024]),
        (
            {"pub_month": 1, "pub_day": 15},
            "n.d. [January 15, year unknown]",
            "(n.d. [January 15, year unknown])",
            None,
            "",
            None,
        ),
        (
            {"pub_month": 1},
            "n.d. [January, year unknown]",
            "(n.d. [January, year unknown])",
            None,
            "",
            None,
        ),
        ({}, "n.d.", "(n.d.)", None, "", None),
    ],
)
def test_dates_are_cited_as_far_as_they_are_known(
    date, chicago_date, apa_date, year, iso, csl_parts
):
    from archive.models import Source

    c = cite(source=Source(name="Daily NK", slug="daily-nk"), **date)
    assert chicago_date in chicago(c)
    assert apa_date in apa(c)
    entry = parse_bibtex(bibtex(c))
    record = rispy.loads(ris(c))[0]
    item = csl(c)
    tags = dict(meta_tags(c))
    if year is None:
        # Undated: no date field anywhere, "n.d." for readers, the known part in a note.
        assert "year" not in entry and "date" not in entry and "month" not in entry
        assert "year" not in record and "date" not in record
        assert "issued" not in item
        assert "citation_publication_date" not in tags and "DC.date" not in tags
        assert "2024" not in chicago(c) + apa(c)
        assert "Accessed November 30, 2026." in chicago(c)
        if date:
            assert "year unknown" in entry["note"] and "year unknown" in record["notes"][0]
            assert "year unknown" in item["note"]
        else:
            assert "Date unknown." in entry["note"]
    else:
        assert entry["year"] == year and entry["date"] == iso
        assert record["year"] == year and record["date"] == iso.replace("-", "/")
        assert item["issued"] == {"date-parts": [csl_parts]}
        assert tags["citation_publication_date"] == iso.replace("-", "/")
        assert tags["DC.date"] == iso
        assert "Accessed" not in chicago(c)


def test_a_supplied_headline_is_marked_everywhere():
    c = cite(headline="Arrests in Hyesan", headline_supplied=True, reporter="Jeong Tae Joo")
    assert "“Arrests in Hyesan” [headline supplied by the archive]." in chicago(c)
    assert "<i>Arrests in Hyesan</i> [Headline supplied by the archive]." in apa(c)
    assert parse_bibtex(bibtex(c))["title"] == "[Arrests in Hyesan]"
    record = rispy.loads(ris(c))[0]
    assert record["title"] == "[Arrests in Hyesan]"
    assert "Headline supplied by the archive" in record["notes"][0]
    assert csl(c)["title"] == "[Arrests in Hyesan]"
    assert dict(meta_tags(c))["citation_title"] == "[Arrests in Hyesan]"
    # The byline as printed: a Korean name is not inverted.
    assert str(chicago(c)).startswith("Jeong Tae Joo. ")
    assert str(apa(c)).startswith("Jeong Tae Joo. (n.d.). <i>Arrests")
    assert record["authors"] == ["Jeong Tae Joo"] and csl(c)["author"] == [
        {"literal": "Jeong Tae Joo"}
    ]


def test_text_that_is_markup_to_tex_or_html_round_trips():
    headline = "50% of agents & their $ bonuses: #1 _rule_ ~ C:\\path <b>bold</b>"
    c = cite(
        headline=headline, dek="Line one\nline two", original_url="https://x.example/a?b=1&c=%20d"
    )
    entry = parse_bibtex(bibtex(c))
    assert entry["title"] == headline
    assert entry["url"] == "https://x.example/a?b=1&c=%20d"
    assert rispy.loads(ris(c))[0]["title"] == headline
    assert rispy.loads(ris(c))[0]["abstract"] == "Line one line two"  # one line per tag
    assert "&lt;b&gt;bold" in chicago(c) and "<b>" not in chicago(c) + apa(c)
    braces = cite(headline="Odd {brace")
    assert bibtexparser.parse_string(bibtex(braces)).failed_blocks == []


# --- Downloads and pages ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [BORDER, DATED, SUPPLIED])
def test_report_downloads_round_trip_through_parsers(client, demo, slug):
    report = Report.objects.get(slug=slug)
    url = f"http://testserver/reports/{slug}/"
    bib = client.get(f"/reports/{slug}/cite.bib")
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == f'attachment; filename="{slug}.bib"'
    entry = parse_bibtex(bib.content.decode())
    title = f"[{report.title}]" if report.headline_supplied else report.title
    assert (entry["ENTRYTYPE"], entry["ID"], entry["title"]) == ("article", slug, title)
    assert entry["journal"] == "Daily NK"
    assert entry["url"] == (report.original_url or url)
    record = rispy.loads(client.get(f"/reports/{slug}/cite.ris").content.decode())[0]
    assert record["type_of_reference"] == "NEWS"
    assert record["title"] == title and record["secondary_title"] == "Daily NK"
    assert record["urls"] == [report.original_url or url]
    items = json.loads(client.get(f"/reports/{slug}/cite.csl.json").content)
    assert items[0]["type"] == "article-newspaper" and items[0]["archive_location"] == url
    if report.pub_year:
        assert entry["year"] == str(report.pub_year) and record["year"] == str(report.pub_year)
    else:
        assert "year" not in entry and "year" not in record and "issued" not in items[0]


@pytest.mark.django_db
def test_citations_of_a_whole_search_hold_every_report(client, demo):
    total = client.get("/search/?q=security").context["results"].total
    bib = b"".join(client.get("/search/cite.bib?q=security").streaming_content).decode()
    library = bibtexparser.parse_string(bib)
    assert library.failed_blocks == [] and len(library.entries) == total
    ris_text = b"".join(client.get("/search/cite.ris?q=security").streaming_content).decode()
    assert len(rispy.loads(ris_text)) == total
    items = json.loads(b"".join(client.get("/search/cite.csl.json?q=security").streaming_content))
    assert len(items) == total
    empty = b"".join(client.get("/search/cite.csl.json?q=nothingatall").streaming_content)
    assert json.loads(empty) == []


@pytest.mark.django_db
def test_unpublished_and_withdrawn_reports_have_no_citation(client, demo):
    make_report("Draft", status=Report.Status.DRAFT, slug="draft-report")
    assert client.get("/reports/draft-report/cite.bib").status_code == 404
    withdrawn = Report.objects.get(slug=BORDER)
    withdrawn.status = Report.Status.WITHDRAWN
    withdrawn.save()
    assert client.get(f"/reports/{BORDER}/cite.ris").status_code == 410


class Head(HTMLParser):
    """The <meta name=… content=…> tags of a page, and its COinS spans' titles."""

    def __init__(self):
        super().__init__()
        self.meta, self.coins = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs["content"]))
        if tag == "span" and attrs.get("class") == "Z3988":
            self.coins.append(parse_qs(attrs["title"]))


def parsed(client, url) -> Head:
    head = Head()
    head.feed(client.get(url).content.decode())
    return head


@pytest.mark.django_db
def test_report_pages_carry_highwire_and_dublin_core_tags(client, demo):
    tags = parsed(client, f"/reports/{DATED}/").meta
    found = dict(tags)
    report = Report.objects.get(slug=DATED)
    assert found["citation_title"] == found["DC.title"] == report.headline
    assert found["citation_publication_date"] == "2024/04/19" and found["DC.date"] == "2024-04-19"
    assert found["citation_publisher"] == found["DC.publisher"] == "Daily NK"
    assert (
        found["citation_public_url"]
        == found["DC.identifier"]
        == f"http://testserver/reports/{DATED}/"
    )
    assert ("DC.contributor", "David Black") in tags
    assert ("DC.subject", "Ministry of State Security") in tags
    assert "citation_author" not in found  # no byline: none made up
    undated = dict(parsed(client, f"/reports/{SUPPLIED}/").meta)
    assert "citation_publication_date" not in undated and "DC.date" not in undated
    assert undated["citation_title"].startswith("[North Korea overhauls")


@pytest.mark.django_db
def test_result_lists_carry_coins(client, demo):
    response = client.get("/search/?q=security")
    spans = parsed(client, "/search/?q=security").coins
    reports = response.context["results"].reports
    assert len(spans) == len(reports)
    for span, report in zip(spans, reports, strict=True):
        title = f"[{report.title}]" if report.headline_supplied else report.title
        assert span["ctx_ver"] == ["Z39.88-2004"] and span["rft.atitle"] == [title]
        assert span["rft.jtitle"] == ["Daily NK"]
    assert parsed(client, "/").coins  # on the home page's list too


@pytest.mark.django_db
def test_report_page_shows_chicago_apa_and_download_links(client, demo):
    html = client.get(f"/reports/{DATED}/").content.decode()
    assert "<i>Daily NK</i>, April 19, 2024." in html
    assert "(2024, April 19)." in html
    assert f'href="/reports/{DATED}/cite.bib"' in html
    assert f'href="/reports/{DATED}/cite.csl.json"' in html


def test_a_reports_own_citation_names_the_version_readers_see(client, demo):
    report = Report.objects.get(slug=DATED)
    version = report.version
    named = f"ersion {version.number}, fingerprint {version.short_fingerprint}"
    html = client.get(f"/reports/{DATED}/").content.decode()
    assert f"NK Security Reports Archive, v{named}" in html  # Chicago
    assert f"(V{named})" in html  # APA
    item = json.loads(client.get(f"/reports/{DATED}/cite.csl.json").content)[0]
    assert item["version"] == str(version.number)
    assert f"ET  - {version.number}" in client.get(f"/reports/{DATED}/cite.ris").content.decode()
    report.body += "\n\nA paragraph added after publication."
    report.save()
    again = client.get(f"/reports/{DATED}/").content.decode()
    assert f"version {version.number + 1}, fingerprint" in again
