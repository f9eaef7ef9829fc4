"""Nothing unpublished is visible on any public path.

Drafts, reports in review, scheduled reports and withdrawn reports are
present, each with words, a place, an agency, a topic, a source and a year
that no public report has; each was public once, so each has a version. A
public report went through a draft with a secret word before its second
version, and carries secret editors' notes and import key. Every public URL
pattern is visited (the test fails when a pattern is added without being
listed here), versions and differences included, with the index both stale
(the hidden reports were public when it was built) and current.
"""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from archive.facets import TERMS
from archive.models import (
    Agency,
    Correction,
    Incident,
    IncidentReport,
    Person,
    Region,
    Report,
    Source,
    Topic,
)

from .conftest import index_now
from .factories import make_report

pytestmark = pytest.mark.django_db

HIDDEN = {  # unique word -> (status, publish_at from now)
    "zorblax": (Report.Status.DRAFT, -1),
    "quoppel": (Report.Status.IN_REVIEW, -1),
    "vintrac": (Report.Status.PUBLISHED, +24),  # scheduled for tomorrow
    "wexmoor": (Report.Status.WITHDRAWN, -1),
}
SECRET_YEAR = 1951
CORRECTED = "n-korea-cracks-down-on-corruption-in-border-patrol"
NEAR_MISSES = ["zorblaxx", "quopel", "vintrak", "wexmor"]  # for "did you mean"


@pytest.fixture
def hidden(demo):
    """Public demo reports, plus four hidden ones that the index still holds."""
    ryanggang = Region.objects.get(slug="ryanggang")
    place = Region.objects.create(
        name="Leakville", slug="leakville", kind=Region.Kind.CITY, parent=ryanggang
    )
    place.aliases.create(name="Leaktown", kind="press")  # its other names are private too
    agency = Agency.objects.create(name="Leak Bureau", slug="leak-bureau")
    topic = Topic.objects.create(name="Leak topic", slug="leak-topic")
    person = Person.objects.create(name="Leakperson Kim", slug="leak-person")
    person.aliases.create(name="Kim Leakyperson", kind="press")
    source = Source.objects.create(name="Leak Source", slug="leak-source")
    public_text = Report.objects.get(slug="safety-agents-quit-for-safer-jobs").body
    reports = []
    for word in HIDDEN:
        reports.append(
            make_report(
                f"{word.capitalize()} report on safety agents",
                slug=f"{word}-report",
                dek=f"The {word} dek",
                body=f"{word} {word}. {public_text}",  # so that it would be "related"
                keywords=word,
                pub_year=SECRET_YEAR,
                source=source,
                regions=[place],
                agencies=[agency],
                topics=[topic],
                people=[person],
            )
        )
    # A public report's unpublished intermediate state, and what only editors see.
    shown = Report.objects.get(slug=CORRECTED)
    kept = shown.body
    shown.status, shown.body = Report.Status.DRAFT, f"Zorblax draft.\n\n{kept}"
    shown.save()
    shown.status, shown.body = Report.Status.PUBLISHED, f"{kept}\n\nAdded on republication."
    shown.editor_notes, shown.import_key = "Quoppel: ask the source again.", "wexmoor-key"
    shown.save()
    Correction.objects.create(report=shown, note="A paragraph was added.")
    # A public incident that hidden reports are linked to, and an incident in draft.
    public = Incident.objects.create(
        title="Agents quit", slug="agents-quit", status=Report.Status.PUBLISHED, start_year=2024
    )
    public.regions.add(ryanggang)
    IncidentReport.objects.create(incident=public, report=shown)
    secret = Incident.objects.create(
        title="Zorblax incident", slug="zorblax-incident", start_year=SECRET_YEAR
    )
    secret.regions.add(place)
    secret.agencies.add(agency)
    IncidentReport.objects.create(incident=secret, report=shown, origin="Leak Source")
    for report in reports:
        IncidentReport.objects.create(incident=public, report=report, origin=report.slug)
    index_now()  # indexed while public: the worst case for the index
    now = timezone.now()
    for report, (status, hours) in zip(reports, HIDDEN.values(), strict=True):
        report.status = status
        report.publish_at = now + datetime.timedelta(hours=hours)
        report.save()
    return reports


def public_urls(hidden) -> dict[str, list[str]]:
    """Every public URL pattern, with the addresses that exercise it."""
    words = [*HIDDEN, *NEAR_MISSES]
    reports = list(Report.objects.published()) + hidden
    terms = {facet: [*facet.model.objects.values_list("slug", flat=True)] for facet in TERMS}
    searches = [
        "",
        "?q=safety+agents",
        "?q=report",
        "?region=leakville",
        "?agency=leak-bureau",
        "?q=Leaktown",
        "?region=leaktown",
        "?person=leak-person",
        "?q=Leakyperson",
        "?q=Kim+Leakyperson",
        "?person=kim-leakyperson",
        "?find_person=leak",
        f"?year={SECRET_YEAR}",
        "?source=leak-source",
        "?find_region=leak",
        "?find_agency=leak",
        "?find_topic=leak",
        f"?from={SECRET_YEAR}&to={SECRET_YEAR}",
        *(f"?q={word}" for word in words),
    ]
    return {
        "home": ["/"],
        "health": ["/health/"],
        "search": [f"/search/{query}" for query in searches],
        "search-rss": [f"/search/rss/{query}" for query in searches],
        "search-atom": [f"/search/atom/{query}" for query in searches],
        "latest-rss": ["/feeds/latest/rss/"],
        "latest-atom": ["/feeds/latest/atom/"],
        "sitemap": ["/sitemap.xml"],
        "opensearch": ["/opensearch.xml"],
        "robots": ["/robots.txt"],
        "language": [
            "/language/ko/?next=/search/?q=zorblax",
            "/language/en/?next=https://evil.example/",
            "/language/xx/",
        ],
        "dates": ["/archive/"],
        "year": ["/archive/2024/", f"/archive/{SECRET_YEAR}/"],
        "month": ["/archive/2024/4/", f"/archive/{SECRET_YEAR}/1/"],
        "report": [r.get_absolute_url() for r in reports],
        "report-preview": [f"{r.get_absolute_url()}preview/" for r in reports],
        "report-version": [f"{r.get_absolute_url()}v{n}/" for r in reports for n in (1, 2)],
        "report-changes": [
            f"{r.get_absolute_url()}changes/{query}"
            for r in reports
            for query in ("", "?from=2&to=1")
        ],
        "alerts": ["/alerts/", *(f"/alerts/{query}" for query in searches)],
        "alert-confirm": ["/alerts/confirm/not-a-token/"],
        "alert-unsubscribe": ["/alerts/unsubscribe/not-a-token/"],
        # Downloads: a whole search's exports and citations, one report's citation.
        "search-csv": [f"/search/export.csv{query}" for query in searches],
        "search-jsonl": [f"/search/export.jsonl{query}" for query in searches],
        "search-bibtex": [f"/search/cite.bib{query}" for query in searches],
        "search-ris": [f"/search/cite.ris{query}" for query in searches],
        "search-csl": [f"/search/cite.csl.json{query}" for query in searches],
        "report-bibtex": [f"{r.get_absolute_url()}cite.bib" for r in reports],
        "report-ris": [f"{r.get_absolute_url()}cite.ris" for r in reports],
        "report-csl": [f"{r.get_absolute_url()}cite.csl.json" for r in reports],
        # The JSON API.
        "api-v1:index": ["/api/v1/"],
        "api-v1:api-root": ["/api/v1/"],
        "api-v1:docs": ["/api/v1/docs/"],
        "api-v1:openapi-json": ["/api/v1/openapi.json"],
        "api-v1:search": [f"/api/v1/search/{query}" for query in searches],
        "api-v1:report": [f"/api/v1/reports/{r.slug}/" for r in reports],
        "api-v1:vocabularies": ["/api/v1/vocabularies/"],
        "api-v1:vocabulary": [f"/api/v1/vocabularies/{facet.name}/" for facet in TERMS],
        "api-v1:not-found": ["/api/v1/leakville/", "/api/v1/reports/zorblax-report/x/"],
        **{f.name: [f"/{f.url_prefix}/{slug}/" for slug in slugs] for f, slugs in terms.items()},
        **{f"{f.name}-index": [f"/{f.url_prefix}/"] for f in TERMS},
        "about": ["/about/"],
        "incidents": [
            f"/incidents/{query}"
            for query in (
                *("", "?sources=2", "?region=leakville", "?agency=leak-bureau"),
                *(f"?year={SECRET_YEAR}", "?q=zorblax", "?page=2", "?sources=x"),
            )
        ],
        "incident": ["/incidents/agents-quit/", "/incidents/zorblax-incident/"],
        "incidents-atom": ["/incidents/atom/", "/incidents/atom/?region=leakville"],
        "incidents-csv": ["/incidents/export.csv", f"/incidents/export.csv?year={SECRET_YEAR}"],
        "incidents-jsonl": ["/incidents/export.jsonl", "/incidents/export.jsonl?sources=2"],
        "incident-atom": ["/incidents/agents-quit/atom/", "/incidents/zorblax-incident/atom/"],
        "api-v1:incidents": [
            f"/api/v1/incidents/{query}"
            for query in ("", "?sources=2", "?region=leakville", f"?year={SECRET_YEAR}")
        ],
        "api-v1:incident": [
            "/api/v1/incidents/agents-quit/",
            "/api/v1/incidents/zorblax-incident/",
        ],
    }


def leaks(content: str, hidden, typed: str = "") -> list[str]:
    """Secrets in a page; the word a reader typed may be echoed back, nothing else (the
    language switch's links return to the address asked for, whatever it was)."""
    content = re.sub(r'/language/\w+/\?next=[^"]*', "", content)
    words = [
        *HIDDEN,
        "leakville",
        "leaktown",
        "leak bureau",
        "leak topic",
        "leak source",
        "leakperson",
        "leakyperson",
    ]
    found = [r.slug for r in hidden if r.slug in content]
    found += [
        word
        for word in words
        if word not in typed.lower() and re.search(rf"(?i)\b{re.escape(word)}\b", content)
    ]
    # The secret year as a facet value, a bar's or a list's label, or a link.
    # In JSON: a facet value, a bar, or a report's date.
    year = str(SECRET_YEAR)
    pattern = rf'year={year}|>\s*{year}\s*<|/archive/{year}/|"{year}"|"year": {year}\b'
    if year not in typed and re.search(pattern, content):
        found.append(year)
    return found


def pattern_names(patterns, namespace: str = "") -> set[str]:
    """Every URL pattern's name, with its namespace except the site's own; not the admin's."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = "" if pattern.namespace == "archive" else f"{pattern.namespace}:"
            names |= pattern_names(pattern.url_patterns, namespace + inner)
        else:
            names.add(namespace + pattern.name)
    return names


def test_every_public_pattern_is_walked(hidden):
    patterns = pattern_names(get_resolver("archive.urls").url_patterns)
    assert set(public_urls(hidden)) == patterns, "list the new path's addresses in public_urls"


@pytest.mark.parametrize("index", ["stale", "current"])
def test_no_public_path_shows_unpublished_work(client, hidden, index):
    if index == "current":
        assert index_now() == len(HIDDEN)
    visited = 0
    for name, urls in public_urls(hidden).items():
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 301, 302, 404, 410), url
            # What the reader typed may be echoed ("There is no region “leakville”").
            echoed = " ".join(v for vs in parse_qs(urlsplit(url).query).values() for v in vs)
            location = response.get("Location", "")
            if location.startswith("/admin/login/"):
                location = ""  # it repeats the address asked for, as ?next=
            body = b"".join(response.streaming_content) if response.streaming else response.content
            shown = body.decode() + location
            found = leaks(shown, hidden, typed=echoed)
            assert found == [], f"{url} ({name}) shows {found}"
            visited += 1
    assert visited > 100
    # The hidden reports' own pages, versions and changes say nothing but "not
    # found" or "withdrawn", though each was public as version 1.
    for page in ("", "v1/", "changes/?from=1&to=2"):
        statuses = {r.slug: client.get(r.get_absolute_url() + page).status_code for r in hidden}
        assert statuses == {
            "zorblax-report": 404,
            "quoppel-report": 404,
            "vintrac-report": 404,
            "wexmoor-report": 410,
        }
    # The walk saw real versions and a real difference.
    diff = client.get(f"/reports/{CORRECTED}/changes/?from=1&to=2").content.decode()
    assert "<ins>Added on republication.</ins>" in diff and "A paragraph was added." in diff
    assert client.get(f"/reports/{CORRECTED}/v3/").status_code == 404
    # Their terms have no public page, and previews need a login.
    assert client.get("/regions/leakville/").status_code == 404
    assert client.get("/reports/zorblax-report/preview/").status_code == 302


def test_unpublished_work_tagged_with_a_reference_term_changes_nothing_public(client, demo):
    """A curated term behaves the same whether or not drafts and reports in review use it.

    Chagang is in the curated vocabulary and no published report names it: its
    other spellings redirect, widen searches and find it, before and after an
    editor tags unpublished work with it.
    """
    chagang = Region.objects.get(slug="chagang")
    assert chagang.reference
    probes = [
        "/regions/jagang/",
        "/regions/chagang/",
        "/search/?q=Jagang",
        "/search/?region=jagang",
        "/search/?find_region=jagang",
    ]

    def seen() -> dict:
        found = {}
        for url in probes:
            response = client.get(url)
            html = response.content.decode()
            found[url] = (
                response.status_code,
                response.get("Location"),
                "Chagang" in html,
                "Also searched:" in html,
            )
        return found

    before = seen()
    assert before["/regions/jagang/"][:2] == (301, "/regions/chagang/")
    assert before["/search/?q=Jagang"] == (200, None, True, True)
    make_report(
        "Quiet arrests",
        status=Report.Status.IN_REVIEW,
        regions=[chagang],
        body="Arrests in Jagang.",
    )
    make_report("Unfinished", status=Report.Status.DRAFT, regions=[chagang])
    index_now()
    assert seen() == before


def test_a_term_made_for_a_draft_stays_private_until_published(client, demo):
    """What an editor adds for unpublished work is not reference vocabulary."""
    place = Region.objects.create(
        name="Secretville", slug="secretville", kind=Region.Kind.CITY, parent=None
    )
    place.aliases.create(name="Sekretville", kind="press")
    assert not place.reference
    report = make_report("Draft", status=Report.Status.DRAFT, regions=[place])
    index_now()
    assert client.get("/regions/sekretville/").status_code == 404
    assert "Secretville" not in client.get("/search/?q=Sekretville").content.decode()
    report.status = Report.Status.PUBLISHED
    report.save()
    index_now()
    assert client.get("/regions/sekretville/")["Location"] == "/regions/secretville/"
