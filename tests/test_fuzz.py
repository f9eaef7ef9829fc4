"""Fuzzed search URLs (pages, API, feeds, downloads) and a report's versions and
differences (also of repeated text): whatever the parameters, no server error."""

import os
from urllib.parse import urlencode

import pytest
from django.template import Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.management.hostile import HOSTILE, hostile_urls
from archive.models import Incident, IncidentReport, Report
from archive.search.form import PARAMETERS

from .conftest import index_now
from .factories import make_report

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NAMES = st.sampled_from([*PARAMETERS, "find_region", "find_agency", "find_topic", "sources", "x"])
TRICKY = st.sampled_from(
    [
        *("", " ", "0", "-1", "1e9", "99999999999999999999", "²", "١٢", "2024-02-30", "9999-12"),
        *("0000-00-00", "2024-13", "NOT", "AND OR", '"', '""', "*", "?", "(", ")", "text:"),
        *("a" * 600, "north-hamkyung", "bowibu", "ryanggang", "hyesan", "2024", "2024-04"),
        *("newest", "relevance", "\x00", "\u200b", "%00", "<script>", "../../etc/passwd"),
        *("Hamgyŏng-bukto", "함경북도"),
        *("1", "2", "3", "4"),  # versions that exist, for ``from`` and ``to``
    ]
)
# Every query of the hostile list (the worst an adversarial test found) is a value too.
HOSTILE_VALUES = st.sampled_from(
    sorted(
        {
            v
            for _, params in HOSTILE
            for vs in params.values()
            for v in ([vs] if isinstance(vs, str) else vs)
        }
    )
)
VALUES = st.one_of(TRICKY, HOSTILE_VALUES, st.text(max_size=40), st.integers().map(str))
PARAMS = st.lists(st.tuples(NAMES, VALUES), max_size=6)
# What browsers ask for, and what a client may send instead.
LANGUAGES = st.one_of(
    st.sampled_from(["en", "ko", "ko-KR,ko;q=0.9,en;q=0.8", "*", "", "xx", "ko;q=x"]),
    st.text(alphabet=st.characters(codec="latin-1"), max_size=40),
)
REPORT = "/reports/n-korea-cracks-down-on-corruption-in-border-patrol/"
REPEATED = "/reports/fuzz-repeated-text/"  # four versions of 3,000 repeated paragraphs
# Every address that takes a search's parameters, sharing the same number of examples:
# the page most, then the JSON API, the feeds, the exports and the citations of a search;
# and a report's change log (it takes ``from`` and ``to``, in PARAMETERS too) and versions.
PATHS = st.sampled_from(
    [
        "/search/",
        "/search/",
        "/search/",
        "/api/v1/search/",
        "/api/v1/search/",
        "/search/rss/",
        "/search/atom/",
        "/search/export.csv",
        "/search/export.jsonl",
        "/search/cite.bib",
        "/search/cite.ris",
        "/search/cite.csl.json",
        "/incidents/",
        f"{REPORT}changes/",
        f"{REPORT}v2/",
        f"{REPEATED}changes/",
    ]
)


@pytest.fixture
def archive(demo):
    """The demo archive, indexed once for all the generated URLs; one report has two
    versions, so that differences are drawn."""
    report = Report.objects.get(slug=REPORT.split("/")[2])
    report.body = report.body.replace("border", "frontier", 3) + "\n\nA paragraph added."
    report.save()
    repeated = make_report("Repeated text", slug=REPEATED.split("/")[2], body="Hurrah.\n\n" * 3000)
    for n, line in enumerate(["Hurrah!", "Long live.", "Hurrah. Hurrah."]):
        repeated.body = "Hurrah.\n\n" * (n * 1000) + line + "\n\n" + "Hurrah.\n\n" * 2000
        repeated.save()
    incident = Incident.objects.create(
        title="Agents quit", slug="agents-quit", status=Report.Status.PUBLISHED, start_year=2024
    )
    incident.regions.add(*report.regions.all())
    IncidentReport.objects.create(incident=incident, report=report)
    index_now()


@pytest.fixture
def fast_templates(monkeypatch):
    """Templates rendered as in production: the test client does not copy every context.

    (The test runner instruments rendering so that tests can read
    ``response.context``; this test reads only status codes, and the copies
    took three quarters of its time.)
    """
    monkeypatch.setattr(Template, "_render", lambda self, context: self.nodelist.render(context))


@settings(
    max_examples=int(os.environ.get("ARCHIVE_FUZZ_URLS", "10000")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=PATHS, params=PARAMS, language=LANGUAGES)
def test_no_search_url_gives_a_server_error(
    client, archive, fast_templates, path, params, language
):
    # The test client raises the view's exception instead of answering 500; the API
    # answers every error as JSON, so its status is checked too.
    response = client.get(f"{path}?{urlencode(params)}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (200, 301, 302, 404)
    if response.streaming:  # a download fails, if at all, while it is written
        b"".join(response.streaming_content)
    elif path.startswith("/api/"):
        assert response.json()["total"] >= 0


def test_every_query_of_the_hostile_list_answers(client, archive, fast_templates):
    # Each exactly as ``make bench`` and ``make soak`` send it: "NOT " a hundred times
    # once failed the query parser and then its fallback (a server error).
    failed = [url for url in hostile_urls() if client.get(url).status_code != 200]
    assert failed == []
