"""The JSON API (/api/v1/): what the search page shows, as data; errors as JSON."""

from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from archive.facets import TERMS
from archive.models import Region, Report, Source
from archive.research.api.schemas import Report as ReportSchema
from archive.research.api.schemas import SearchResponse
from archive.search.form import PARAMETERS

from .conftest import index_now
from .factories import make_report

pytestmark = pytest.mark.django_db

BORDER = "n-korea-cracks-down-on-corruption-in-border-patrol"

# Words, facets (by slug and by another name), dates, sorts, a misspelling shown
# corrected, one only offered, an alias widening the search, bad parameters.
SEARCHES = [
    "",
    "q=security",
    "q=bowibu",
    "q=Secruity",
    "q=secrurityy",
    "q=Hyesan",
    "region=ryanggang",
    "region=hyesan&region=uiju-county",
    "agency=bowibu",
    "q=security&region=ryanggang&topic=corruption",
    "sort=oldest",
    "q=korea&sort=newest",
    "from=2024-04&to=2024-04",
    "year=2024",
    "to=2023",
    "page=abc&sort=random&region=atlantis",
    "page=500",
    "q=corruption+crackdown+border",
]


def page_and_api(client, params: str):
    page = client.get(f"/search/?{params}")
    api = client.get(f"/api/v1/search/?{params}")
    assert page.status_code == api.status_code == 200
    assert api["Content-Type"] == "application/json; charset=utf-8"
    return page.context, api.json()


@pytest.mark.parametrize("params", SEARCHES)
def test_search_answers_what_the_search_page_shows(client, demo, params):
    context, data = page_and_api(client, params)
    results = context["results"]
    assert data["total"] == results.total
    assert [hit["slug"] for hit in data["results"]] == [r.slug for r in results.reports]
    assert [hit["slug"] for hit in data["partial"]] == [r.slug for r in results.partial]
    assert [hit["snippet"] for hit in data["results"]] == [
        str(results.snippets[r.pk]) for r in results.reports
    ]
    assert {
        name: [
            (v["value"], v["label"], v["count"], v["selected"], v["parent"])
            for v in facet["values"]
        ]
        for name, facet in data["facets"].items()
    } == {
        name: [(v.value, v.label, v.count, v.selected, v.parent) for v in values]
        for name, values in results.facets.items()
    }
    assert [(b["year"], b["count"]) for b in data["histogram"]] == results.histogram
    assert data["also_searched"] == results.also_searched
    assert data["messages"] == [*context["messages_"], *results.notices]
    assert data["page"] == results.query.page and data["num_pages"] == results.num_pages
    if results.corrected_from:
        shown = data["showing_results_for"]
        assert shown["text"] == results.suggestion
        assert shown["searched_for"] == results.corrected_from
        assert data["did_you_mean"] is None
    else:
        assert data["showing_results_for"] is None
        suggestion = data["did_you_mean"] and data["did_you_mean"]["text"]
        assert suggestion == results.suggestion
    SearchResponse.model_validate(data)  # the document describes what is sent


def test_search_examples_cover_the_interesting_cases(client, demo):
    """The list above really holds an alias, a correction, a suggestion and messages."""
    assert client.get("/api/v1/search/?q=bowibu").json()["also_searched"]
    corrected = client.get("/api/v1/search/?q=Secruity").json()
    assert corrected["showing_results_for"]["text"] == "Security" and corrected["total"] > 0
    exact = corrected["showing_results_for"]["search_instead_url"]
    assert client.get(exact).json()["total"] == 0
    offered = client.get("/api/v1/search/?q=secrurityy").json()
    assert offered["did_you_mean"]["text"] == "security" and offered["total"] == 0
    filtered = client.get("/api/v1/search/?agency=bowibu").json()
    assert filtered["query"]["filters"] == {"agency": ["ministry-of-state-security"]}
    assert "another name for Ministry of State Security" in filtered["messages"][0]
    bad = client.get("/api/v1/search/?page=abc&region=atlantis").json()
    assert "There is no page “abc”; showing the first page." in bad["messages"]
    assert "There is no region “atlantis”; that filter was left out." in bad["messages"]


def test_hits_carry_the_report_metadata_and_term_labels(client, demo):
    data = client.get("/api/v1/search/?q=Hyesan").json()
    hit = data["results"][0]
    assert hit["slug"] == BORDER
    assert hit["url"] == f"http://testserver/reports/{BORDER}/"
    assert hit["translator"] == "Violet Kim" and hit["source"]["name"] == "Daily NK"
    assert hit["date"] == {
        "year": None,
        "month": None,
        "day": None,
        "precision": "unknown",
        "text": "Date unknown",
    }
    assert "Hyesan" in [region["name"] for region in hit["regions"]]
    assert "<mark>Hyesan</mark>" in hit["snippet"]
    assert "body" not in hit and "editor_notes" not in hit
    for facet in TERMS:  # one field per vocabulary
        assert facet.report_field in hit
    ryanggang = next(v for v in data["facets"]["region"]["values"] if v["value"] == "ryanggang")
    assert ryanggang["label"] == "Ryanggang" and ryanggang["parent"] == "north-korea"
    assert data["facets"]["region"]["title"] == "Region"


def test_pagination_links_are_absolute_and_complete(client, demo):
    source = Source.objects.get(slug="daily-nk")
    for i in range(41):
        make_report(f"Guard report {i}", body="Quillon guards were punished.", source=source)
    index_now()
    data = client.get("/api/v1/search/?q=quillon&page=2").json()
    assert (data["total"], data["page"], data["num_pages"]) == (41, 2, 3)
    links = data["links"]
    base = "http://testserver/api/v1/search/"
    assert links["self"] == f"{base}?page=2&q=quillon"
    assert links["first"] == f"{base}?q=quillon"
    assert links["previous"] == f"{base}?q=quillon"
    assert links["next"] == links["last"] == f"{base}?page=3&q=quillon"
    assert links["page"] == "http://testserver/search/?page=2&q=quillon"
    assert links["csv"] == "http://testserver/search/export.csv?q=quillon"
    last = client.get(links["last"]).json()
    assert last["links"]["next"] is None and len(last["results"]) == 1
    pages = [client.get(f"{base}?q=quillon&page={n}").json() for n in (1, 2, 3)]
    assert len({hit["slug"] for p in pages for hit in p["results"]}) == 41
    # Past the last page: the last one, and the page's message.
    past = client.get(f"{base}?q=quillon&page=9").json()
    assert past["page"] == 3
    assert "There are only 3 pages; showing the last one." in past["messages"]
    toggle = next(v for v in data["facets"]["source"]["values"] if v["value"] == "daily-nk")
    assert toggle["toggle_url"] == f"{base}?q=quillon&source=daily-nk"


def test_a_report_by_its_slug(client, demo):
    data = client.get(f"/api/v1/reports/{BORDER}/").json()
    ReportSchema.model_validate(data)
    report = Report.objects.get(slug=BORDER)
    assert data["headline"] == report.headline and data["body"] == report.body
    assert data["original_url"] == report.original_url
    assert data["corrections"] == []
    assert data["api_url"] == f"http://testserver/api/v1/reports/{BORDER}/"


def test_a_tag_says_whether_an_editor_or_the_taggers_put_it_there(client, vocabularies):
    from archive.editing import tagging

    hyesan = Region.objects.get(slug="hyesan")
    report = make_report("Arrests in North Hamgyong", body="Police were busy.", regions=[hyesan])
    tagging.suggest(report)  # North Hamgyong, in the headline, is tagged automatically
    index_now()
    data = client.get(f"/api/v1/reports/{report.slug}/").json()
    ReportSchema.model_validate(data)
    assert {r["slug"]: r["automatic"] for r in data["regions"]} == {
        "hyesan": False,
        "north-hamgyong": True,
    }
    hit = client.get("/api/v1/search/?q=arrests").json()["results"][0]
    assert {r["slug"]: r["automatic"] for r in hit["regions"]}["north-hamgyong"] is True
    row = client.get("/search/export.csv?q=arrests").getvalue().decode("utf-8-sig")
    assert "regions.automatic" in row.splitlines()[0]


def test_missing_withdrawn_and_unpublished_reports_answer_json(client, demo):
    draft = make_report("Secret draft", status=Report.Status.DRAFT, slug="secret-draft")
    withdrawn = Report.objects.get(slug=BORDER)
    withdrawn.status = Report.Status.WITHDRAWN
    withdrawn.save()
    for url, status, words in [
        ("/api/v1/reports/no-such-report/", 404, "There is no published page at this address."),
        (f"/api/v1/reports/{draft.slug}/", 404, "There is no published page at this address."),
        (f"/api/v1/reports/{BORDER}/", 410, "The editors have withdrawn this report"),
        ("/api/v1/vocabularies/planets/", 404, "There is no vocabulary “planets”."),
        ("/api/v1/nothing/here/", 404, "There is nothing at this address in the API."),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response["Content-Type"].startswith("application/json")
        assert words in response.json()["detail"]
    assert client.get("/api/v1/search").status_code == 301  # to the address with the slash
    posted = client.post("/api/v1/search/", {"q": "x"})
    assert posted.status_code == 405 and posted["Allow"] == "GET"
    assert posted.json() == {"detail": "The API only reads: use GET."}


def test_vocabularies_list_every_facet_of_the_registry(client, demo):
    data = client.get("/api/v1/vocabularies/").json()
    assert [v["name"] for v in data["vocabularies"]] == [facet.name for facet in TERMS]
    for entry in data["vocabularies"]:
        assert client.get(entry["url"]).status_code == 200


def test_a_vocabulary_has_terms_aliases_and_published_counts(client, demo):
    Region.objects.create(name="Draftville", slug="draftville", kind=Region.Kind.CITY)
    chagang = Region.objects.get(slug="chagang")
    make_report("Unpublished", status=Report.Status.DRAFT, regions=[chagang])
    index_now()
    data = client.get("/api/v1/vocabularies/region/").json()
    terms = {term["slug"]: term for term in data["terms"]}
    assert terms["ryanggang"]["report_count"] == 2  # its own and Hyesan's report
    assert terms["hyesan"]["parent"] == "ryanggang"
    assert terms["ryanggang"]["url"] == "http://testserver/regions/ryanggang/"
    names = {alias["name"] for alias in terms["north-hamgyong"]["aliases"]}
    assert "North Hamkyung" in names
    # A curated place no published report names is listed, with no page; drafts count nothing.
    assert terms["chagang"]["report_count"] == 0 and terms["chagang"]["url"] is None
    assert "draftville" not in terms  # made for unpublished work: private
    agencies = client.get("/api/v1/vocabularies/agency/").json()["terms"]
    mss = next(term for term in agencies if term["slug"] == "ministry-of-state-security")
    assert "Bowibu" in {alias["name"] for alias in mss["aliases"]}
    assert mss["report_count"] == 5


def test_openapi_document_and_index(client, demo):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["version"] == "1"
    assert {
        "/api/v1/search/",
        "/api/v1/reports/{slug}/",
        "/api/v1/vocabularies/",
        "/api/v1/vocabularies/{name}/",
    } <= set(document["paths"])
    parameters = {p["name"] for p in document["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert parameters == set(PARAMETERS)  # every parameter of the search page, documented
    index = client.get("/api/v1/").json()
    assert index["openapi"] == "http://testserver/api/v1/openapi.json"
    assert client.get(index["docs"]).status_code == 200


def test_the_human_page_shows_the_document(client, demo):
    response = client.get("/api/v1/docs/")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "curl 'http://testserver/api/v1/search/?q=bowibu" in html
    assert "<code>/api/v1/search/</code>" in html and 'id="schema-SearchResponse"' in html
    assert "<script" not in html
    with override_settings(ARCHIVE_API_RATE="120/min", ARCHIVE_EXPORT_RATE="30/hour"):
        html = client.get("/api/v1/docs/").content.decode()
    assert "(anonymous clients): at most 120 per minute;" in html
    assert "from one address: at most 30 per hour." in html and "at most 20,000 reports" in html


@override_settings(ARCHIVE_API_RATE="3/min")
def test_anonymous_clients_are_throttled_with_a_json_answer(client, demo):
    from django.core.cache import cache

    cache.clear()
    statuses = [client.get("/api/v1/vocabularies/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/search/")
    assert refused.json()["detail"].startswith("Too many requests")
    assert int(refused["Retry-After"]) > 0
    # Another address is counted on its own; a signed-in editor is not limited.
    assert client.get("/api/v1/search/", REMOTE_ADDR="10.0.0.9").status_code == 200
    client.force_login(User.objects.create_user("editor", is_staff=True))
    assert client.get("/api/v1/search/").status_code == 200
    cache.clear()


@override_settings(ARCHIVE_API_RATE="3/min")
def test_rate_counts_are_shared_by_every_worker_and_outlive_a_restart(client, demo):
    """With the local-memory cache each gunicorn worker counted its own (240 a minute
    with 2 workers, not 120) and forgot them when it restarted."""
    from django.conf import settings
    from django.core.cache.backends import locmem

    statuses = [client.get("/api/v1/vocabularies/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    # Another worker, or this one restarted: no process memory, its own cache objects.
    for memory in (locmem._caches, locmem._expire_info, locmem._locks):
        memory.clear()
    with override_settings(CACHES=settings.CACHES):  # Django makes new cache objects
        assert client.get("/api/v1/vocabularies/").status_code == 429


@override_settings(
    ARCHIVE_API_RATE="5/min",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
def test_one_throttle_counts_each_client_right_when_threads_serve_them_at_once(monkeypatch):
    """gunicorn's threaded workers run requests side by side through one throttle
    object: each must count under its own client's address."""
    import threading

    from django.core.cache import cache
    from django.core.cache.backends.locmem import LocMemCache
    from django.test import RequestFactory

    from archive.research.throttling import AnonymousRate

    throttle = AnonymousRate("ARCHIVE_API_RATE", "api")
    both_inside = threading.Barrier(2)
    real_get = LocMemCache.get

    def get_then_wait(self, key, default=None, version=None):
        value = real_get(self, key, default, version)
        both_inside.wait(timeout=5)  # the other request reads its history meanwhile
        return value

    # On the class: each thread has cache objects of its own (sharing one memory).
    monkeypatch.setattr(LocMemCache, "get", get_then_wait)
    requests = [RequestFactory().get("/", REMOTE_ADDR=a) for a in ("198.51.100.1", "203.0.113.2")]
    threads = [threading.Thread(target=throttle.allow_request, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    for request in requests:
        assert len(cache.get(throttle.get_cache_key(request), [])) == 1
