"""The archive in the reader's language: every reader-facing page in Korean as in
English, report texts and names as they are, the switch keeping the page."""

import re
from html.parser import HTMLParser

import pytest

from archive.models import Incident, IncidentReport, OriginKind, Report
from archive.names import vocabulary

from .conftest import index_now

pytestmark = pytest.mark.django_db
KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}
# Names of things that are not English words: formats, bodies, licences, the sources.
NOT_ENGLISH = {
    *("KCNA", "API", "RSS", "Atom", "JSON", "Lines", "CSV", "BibTeX", "RIS", "CSL", "OpenAPI"),
    *("GeoNames", "OFAC", "CC", "BY", "ISO", "KP", "UTC", "URL", "HTTP", "Daily", "NK"),
    *("open", "admin", "data", "English", "Whoosh", "Django", "GET", "COinS", "Zotero"),
    *("YYYY", "MM", "DD"),  # how a date is typed
    "automatic",  # a value the API gives, quoted
    *("APA", "Chicago", "SHA"),  # citation styles; SHA-256
}
EMAIL = re.compile(r"\S+@\S+|https?://\S+")  # you@example.org; a permalink
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class _Text(HTMLParser):
    """The text a reader sees or hears, less what is in English by its own ``lang``
    (a report's words) and less code."""

    def __init__(self):
        super().__init__()
        self.skipping: list[str] = []  # tags opened inside a skipped element
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if (
            self.skipping
            or tag in ("script", "style", "code", "pre")
            or (attributes.get("lang") not in (None, "ko"))
        ):
            if tag not in ("br", "img", "input", "meta", "link", "wbr", "hr"):
                self.skipping.append(tag)
            return
        if tag == "meta":
            return  # a description may be a term's own, in English
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_left(html: str, allowed: set[str]) -> set[str]:
    reader = _Text()
    reader.feed(html)
    words = set(LATIN_WORD.findall(EMAIL.sub("", " ".join(reader.parts))))
    return {w for w in words if w not in allowed and w.lower() not in allowed}


def names_words() -> set[str]:
    """Every word of every name the vocabulary knows, and of the sources'."""
    found = set(NOT_ENGLISH)
    for entry in vocabulary.current().entries.values():
        for name in [entry.name, *(n.text for n in entry.names)]:
            found |= set(LATIN_WORD.findall(name))
    return found | {w.lower() for w in found}


@pytest.fixture
def published(demo):
    index_now()
    return Report.objects.published().exclude(pub_day=None).order_by("pk").first()


def test_every_reader_page_is_in_korean_but_for_names_and_report_texts(client, published):
    # What was typed, the query syntax, and the index's nearest word to a misspelling;
    # the site's address (permalinks), the people who wrote and translated the report,
    # and its headline (in the window's title, where no lang can say it is English).
    allowed = names_words() | {"Hyesan", "qqqzzz", "OR", "AND", "NOT", "defect", "testserver"}
    for text in (published.headline, published.reporter, published.translator, published.editor):
        allowed |= set(LATIN_WORD.findall(text))
    incident = Incident.objects.create(
        title="Agents quit", slug="agents-quit", status=Report.Status.PUBLISHED, start_year=2024
    )  # an editor's title is marked with its language, but not in the window's title
    allowed |= {"Agents", "quit"}
    IncidentReport.objects.create(
        incident=incident, report=published, origin_kind=OriginKind.STATE_MEDIA
    )
    pages = [
        "/",
        "/search/?q=Hyesan",
        "/search/?q=qqqzzz",
        "/search/?region=ryanggang&sort=oldest",
        "/about/",
        "/regions/",
        "/regions/ryanggang/",
        "/agencies/ministry-of-state-security/",
        "/archive/",
        f"/archive/{published.pub_year}/",
        published.get_absolute_url(),
        published.get_absolute_url() + "changes/",
        "/alerts/?q=Hyesan",
        "/no-such-page/",
        "/incidents/",
        "/incidents/?sources=2",
        incident.get_absolute_url(),
    ]
    for url in pages:
        response = client.get(url, **KOREAN)
        assert response.status_code in (200, 404), url
        html = response.content.decode()
        assert '<html lang="ko">' in html, url
        assert english_left(html, allowed) == set(), url


def test_the_same_pages_in_english_say_so(client, published):
    html = client.get("/search/?q=Hyesan").content.decode()
    assert '<html lang="en">' in html
    assert "한국어" in html  # the way to Korean, in Korean
    # The checker sees English where it is: the whole page, less names.
    assert "Search" in english_left(html.replace('<html lang="en">', "<html>"), names_words())


def test_the_switch_keeps_the_page_and_its_search(client, published):
    here = "/search/?q=Hyesan&sort=oldest"
    page = client.get(here).content.decode()
    link = re.search(r'href="(/language/ko/\?next=[^"]+)"', page).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302 and response["Location"] == here
    korean = client.get(here).content.decode()  # the cookie, not the browser, decides now
    assert '<html lang="ko">' in korean and "검색" in korean
    # Only this site's pages are returned to.
    assert client.get("/language/en/?next=https://example.org/")["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_dates_put_the_year_first_in_korean(client, published):
    html = client.get(published.get_absolute_url(), **KOREAN).content.decode()
    day = published.pub_date
    assert f"{day.year}년 {day.month}월 {day.day}일" in html


def test_term_names_are_shown_in_the_readers_script_first(client, published):
    korean = client.get("/regions/ryanggang/", **KOREAN).content.decode()
    assert "<h1>량강도 (Ryanggang)</h1>" in korean
    assert ">량강도 (Ryanggang)</a>" in client.get("/search/?q=Hyesan", **KOREAN).content.decode()
    assert "<h1>Ryanggang</h1>" in client.get("/regions/ryanggang/").content.decode()
