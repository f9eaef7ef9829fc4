"""The site in real headless Chromium (Debian's), driven by Playwright."""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection, transaction
from playwright.sync_api import expect

from archive.editing.roles import ensure_editors_group
from archive.facets import TERMS
from archive.models import Report

from .conftest import DEMO, load_snapshot

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# One folder per database, so that the SQLite and PostgreSQL runs can go side by side.
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results" / connection.vendor
WIDTHS = {"phone": 390, "desktop": 1280}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def search_index():
    """The live server's thread keeps its own index connection: use the settings' index."""
    from haystack import connections

    return connections["default"].get_backend()


def corrected_once():
    """A report corrected once it was public: two versions, a difference, a note."""
    corrected = Report.objects.get(slug="safety-agents-quit-for-safer-jobs")
    corrected.body = corrected.body.replace("safety", "public security", 2) + "\n\nA new paragraph."
    corrected.save()
    corrected.corrections.create(note="An earlier version left out the last paragraph.")


@pytest.fixture
def site(live_server, tmp_path_factory, search_index):
    # The live server needs committed data, and each transactional test starts
    # from empty tables: put back the demo with its corrected report (rows and index,
    # made once a session) and the group a migration made.
    ensure_editors_group(Group.objects, Permission.objects)
    with transaction.atomic():  # foreign keys checked once all the rows are in
        load_snapshot(tmp_path_factory, search_index, DEMO, then=corrected_once)
    return live_server.url


class Tabs:
    """One tab a screen width, kept open for the module; each test sends it to its own
    address with ``open``.

    A new tab starts a new renderer process, and axe is compiled again in it.
    With a tab a test, this module took 72 s and 118 CPU-seconds (Chromium's
    included) on SQLite; with a tab a width, 41 s and 55. A test starts with no
    cookies (no login) and no errors; the site stores nothing else in the browser.
    """

    def __init__(self, browser):
        self.browser = browser
        self.pages: dict[int, object] = {}  # width -> Page
        self.errors: list[str] = []

    def open(self, url: str, width: int, language: str = "en"):
        """The tab at ``url`` (answered 200) in a browser asking for ``language``, and the
        list of errors its pages give from now on: script errors, CSP violations and
        answers of 400 or more."""
        page = self.pages.get(width) or self._new(width)
        page.context.clear_cookies()
        page.set_extra_http_headers({"Accept-Language": language})
        self.errors = []
        response = page.goto(url)
        assert response.status == 200
        return page, self.errors

    def _new(self, width: int):
        page = self.pages[width] = self.browser.new_page(viewport={"width": width, "height": 900})
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # Content Security Policy violations (an inline style or script) are console errors.
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))
        return page

    def close(self):
        for page in self.pages.values():
            page.close()


@pytest.fixture(scope="module")
def tabs(browser):
    opened = Tabs(browser)
    yield opened
    opened.close()


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_home_lists_the_five_reports_and_fits_the_screen(tabs, site, device):
    page, errors = tabs.open(site + "/", WIDTHS[device])
    titles = page.locator("article.card h2").all_inner_texts()
    assert sorted(titles) == sorted(str(r.title) for r in Report.objects.published())
    assert page.locator("h1").count() == 1
    assert page.get_attribute("html", "lang") == "en"
    assert fits_width(page), "the page scrolls sideways"
    assert errors == []


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_reader_goes_from_home_to_a_report_and_on_to_a_region(tabs, site, device):
    page, errors = tabs.open(site + "/", WIDTHS[device])
    page.get_by_role("link", name="N. Korea cracks down on corruption in border patrol").click()
    assert page.locator("h1").inner_text() == "N. Korea cracks down on corruption in border patrol"
    facts = page.locator("dl.facts").inner_text()
    assert "Date unknown" in facts and "Violet Kim" in facts
    assert fits_width(page)
    page.locator("footer .tags").get_by_role("link", name="Ryanggang").click()
    assert page.locator("h1").inner_text() == "Ryanggang"
    assert "published report" in page.locator(".count").inner_text()
    assert errors == []


def test_editor_tags_a_report_with_the_autocomplete(tabs, site):
    user = User.objects.create_user("editor", password="a-long-passphrase", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    page, errors = tabs.open(site + "/admin/login/", WIDTHS["desktop"])
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-passphrase")
    page.click("input[type=submit]")
    report = Report.objects.get(slug="safety-agents-quit-for-safer-jobs")
    page.goto(f"{site}/admin/archive/report/{report.pk}/change/")
    page.locator(".field-regions .select2-selection").click()
    page.keyboard.type("Samsu")
    page.locator(".select2-results__option", has_text="Samsu County").click()
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert "Samsu County" in report.regions.values_list("name", flat=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-report-list.png", full_page=True)
    assert errors == []


def test_reader_searches_narrows_pages_sorts_and_follows_tags(tabs, site):
    from .factories import make_report

    for i in range(25):
        make_report(
            f"Extra report {i}",
            body="Security officials in the border area, again.",
            pub_year=2020 + i % 4,
        )
    call_command("rebuild_search", verbosity=0)
    page, errors = tabs.open(site + "/", WIDTHS["desktop"])
    page.fill("#site-q", "security")
    page.press("#site-q", "Enter")
    assert page.locator("h1").inner_text() == "Reports matching “security”"
    total = int(page.locator(".count").inner_text().split()[0])
    assert total > 20

    page.locator(".facet a", has_text="North Hamgyong").first.click()
    expect(page.locator(".chip")).to_have_count(1)
    assert page.locator(".chip").inner_text().replace("×", "").strip() == "Region: North Hamgyong"
    assert int(page.locator(".count").inner_text().split()[0]) == 3

    page.locator(".chip").first.click()  # remove it
    assert int(page.locator(".count").inner_text().split()[0]) == total
    expect(page.locator(".chip")).to_have_count(0)

    page.get_by_role("link", name="Next").click()
    assert "page=2" in page.url
    # A click waits for the next page to start loading, not for all of it:
    # expect() waits until the count is right (or times out).
    expect(page.locator("article.card")).to_have_count(total - 20)

    page.get_by_role("link", name="Oldest").click()
    first = page.locator("article.card .meta").first.inner_text()
    assert first.startswith("2020") or "2020" in first

    page.go_back()
    assert "page=2" in page.url  # the back button returns to the same state

    page.goto(site + "/search/?q=Hyesan")
    page.locator("article.card h2 a").first.click()
    assert page.locator("h1").inner_text() == "N. Korea cracks down on corruption in border patrol"
    page.locator("footer .tags").get_by_role("link", name="Samsu County").click()
    assert page.locator("h1").inner_text() == "Samsu County"
    assert errors == []


PAGES = {
    "home": "/",
    "search": "/search/?q=security&region=north-hamgyong",
    "region": "/regions/ryanggang/",
    "report": "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/",
    "report from a search": "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/"
    "?from=q%3DHyesan&n=1",
    # The search page above holds the alert form.
    "version": "/reports/safety-agents-quit-for-safer-jobs/v1/",
    "changes": "/reports/safety-agents-quit-for-safer-jobs/changes/?from=1&to=2",
    "api": "/api/v1/docs/",
    "regions index": "/regions/",
    "people index": "/people/",
    "about": "/about/",
    "month": "/archive/2024/4/",
    "incidents": "/incidents/",
    "incident": "/incidents/mss-month-of-eliminating-illegal-activities-april-2024/",
}


# A report's version and its differences are checked at phone width only, where
# their long fingerprints and compared texts are likeliest to overflow, and so are
# the pages whose desktop layout is the home's or a list's: each browser check costs
# seconds of `make test`.
PHONE_ONLY = {"version", "changes", "api", "people index", "regions index", "month"}
# In Korean too (a Korean font is installed by `make test`), at phone width, where
# longer words would overflow first: the pages with the most words of the interface
# (test_languages checks every page's text in Korean).
IN_KOREAN = {"home", "search", "region", "report", "about", "month"}
CASES = [
    (n, d, language)
    for n in sorted(PAGES)
    for d in sorted(WIDTHS)
    for language in ("en", "ko")
    if (d == "phone" or n not in PHONE_ONLY)
    and (language == "en" or (n in IN_KOREAN and d == "phone"))
]


@pytest.mark.parametrize(("name", "device", "language"), CASES)
def test_pages_pass_axe_and_fit_the_screen(tabs, site, name, device, language):
    from axe_playwright_python.sync_playwright import Axe

    page, errors = tabs.open(site + PAGES[name], WIDTHS[device], language)
    assert page.evaluate("document.documentElement.lang") == language
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = f"{name.replace(' ', '-')}-{WIDTHS[device]}" + ("-ko" if language == "ko" else "")
    page.screenshot(path=SCREENSHOTS / f"{shot}.png", full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert fits_width(page), "the page scrolls sideways"
    assert errors == []


# Every kind of page, at phone width, must not scroll sideways: a long pager (page 3,
# page 100 of a search) once pushed the results column past the screen.
PHONE_PAGES = {
    "home": "/",
    "search page 1": "/search/",
    "search page 3": "/search/?page=3",
    "search page 100": "/search/?page=100",
    "term page": "/regions/north-hamgyong/",
    "term page 5": "/sources/daily-nk/?page=5",
    "year": "/archive/2019/",
    "month": "/archive/2019/6/",
    "busy year": "/archive/2020/",
    "busy month": "/archive/2020/3/",
    "report": "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/",
    "about": "/about/",
    **{f"{facet.plural} index": f"/{facet.url_prefix}/" for facet in TERMS},
}


@pytest.fixture
def big_site(site):
    from archive.models import Source

    from .factories import make_many_reports

    # 2,000 reports: 100 pages of search results, 100 of a source's page.
    make_many_reports(2000, source=Source.objects.get(slug="daily-nk"))
    call_command("rebuild_search", verbosity=0)
    return site


def test_no_page_scrolls_sideways_on_a_phone(tabs, big_site):
    page, _ = tabs.open(big_site + "/", WIDTHS["phone"])
    wide = {}
    for name, path in PHONE_PAGES.items():
        response = page.goto(big_site + path)
        assert response.status == 200, path
        if not fits_width(page):
            wide[name] = page.evaluate("document.documentElement.scrollWidth")
        if page.locator(".histogram").count():
            assert page.evaluate(LABELS_APART), f"{name}: chart labels overlap or are cut off"
    page.goto(big_site + "/search/?page=100")
    assert page.locator(".pagination [aria-current=page]").inner_text() == "100"
    assert page.locator(".pagination a:visible", has_text="1").first.is_visible()
    assert wide == {}, f"wider than {WIDTHS['phone']} px"


LABEL_SIZES = """() => [...document.querySelectorAll('.histogram .bar-label')]
  .filter(t => getComputedStyle(t).display !== 'none')
  .map(t => parseFloat(getComputedStyle(t).fontSize)
            * t.ownerSVGElement.getBoundingClientRect().width / 600)"""
LABELS_APART = """() => {
  const boxes = [...document.querySelectorAll('.histogram .bar-label')]
    .filter(t => getComputedStyle(t).display !== 'none')
    .map(t => t.getBoundingClientRect());
  const svg = document.querySelector('.histogram svg').getBoundingClientRect();
  return boxes.every((b, i) => b.left >= svg.left && b.right <= svg.right
                               && (i === 0 || boxes[i - 1].right + 2 <= b.left));
}"""
PLACEHOLDER_FITS = """() => {
  const input = document.querySelector('#site-q');
  const style = getComputedStyle(input);
  const text = document.createElement('span');
  text.textContent = input.placeholder;
  text.style.font = getComputedStyle(input, '::placeholder').font || style.font;
  text.style.whiteSpace = 'pre';
  document.body.append(text);
  const width = text.getBoundingClientRect().width;
  text.remove();
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  return width <= input.clientWidth - padding;
}"""
GAP_BELOW_HEADER = """() => document.querySelector('.date-range legend').getBoundingClientRect().top
  - document.querySelector('.site-header').getBoundingClientRect().bottom"""


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_chart_labels_search_box_and_date_form_read_well(tabs, site, device):
    page, errors = tabs.open(site + "/search/?year=2024", WIDTHS[device])
    sizes = page.evaluate(LABEL_SIZES)  # twelve months: every other one on phones
    assert len(sizes) == (12 if device == "desktop" else 6) and min(sizes) >= 11, sizes
    assert page.evaluate(LABELS_APART), "chart labels overlap or are cut off"
    for path in ("/search/", "/search/?q=security"):  # one year; the years
        page.goto(site + path)
        assert min(page.evaluate(LABEL_SIZES)) >= 11
        assert page.evaluate(LABELS_APART), "chart labels overlap or are cut off"
    assert page.evaluate(PLACEHOLDER_FITS), "the search box's hint is cut off"
    if device == "desktop":  # on phones the form follows the results
        assert page.evaluate(GAP_BELOW_HEADER) >= 12
    assert errors == []


# The map, grids and timelines (issue 16); screenshots of each go to var/shots/.
SHOTS = Path(__file__).resolve().parents[1] / "var" / "shots"
VISUALS = {
    "search-map": ("/search/", "#map"),
    "search-grid": ("/search/?view=grid&open=north-hamgyong", "#grid"),
    "search-timeline": ("/search/?year=2024", ".timeline"),
    "home-map": ("/", "#map"),
    "agency-term": ("/agencies/ministry-of-state-security/", "#grid"),
    "region-term": ("/regions/north-hamgyong/", "#map"),
}
VISUAL_CASES = [(name, device) for name in sorted(VISUALS) for device in sorted(WIDTHS)]


@pytest.mark.parametrize(("name", "device"), VISUAL_CASES)
def test_maps_grids_and_timelines_pass_axe_and_fit_the_screen(tabs, site, name, device):
    from axe_playwright_python.sync_playwright import Axe

    url, part = VISUALS[name]
    page, errors = tabs.open(site + url, WIDTHS[device])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(part).first.screenshot(path=SHOTS / f"{name}-{WIDTHS[device]}.png")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert fits_width(page), "the page scrolls sideways"
    assert errors == []


def test_on_a_phone_the_grid_scrolls_in_its_box_and_its_cells_narrow(tabs, site):
    page, errors = tabs.open(site + "/search/?view=grid", WIDTHS["phone"])
    box = page.locator(".grid-box").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the grid is wider than a phone"
    assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"
    assert fits_width(page)
    cell = page.locator(".grid-box td a").first
    count = int(cell.inner_text())
    cell.click()
    assert page.locator(".result-bar .count").inner_text().startswith(f"{count} report")
    assert errors == []


def test_a_circle_on_the_map_narrows_the_search_to_its_place(tabs, site):
    page, errors = tabs.open(site + "/search/", WIDTHS["desktop"])
    circle = page.locator("#map svg a").last
    title = circle.locator("title").text_content()
    circle.click()
    shown = page.locator(".result-bar .count").inner_text()
    # "Hoeryong: 2 reports", or "… (3 with places inside it)": its link finds the 3.
    total = title.split("(")[1] if "(" in title else title.split(": ")[1]
    assert shown.startswith(total.split()[0] + " report")
    assert errors == []
