"""The API's answers as plain data, built from what the pages themselves use.

A search answer is the search page's results (``run_search``) turned into
JSON: the same reports in the same order, the same counts, the same
messages. Links are absolute, so a client can follow them as they are.
"""

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from ...common import paths
from ...facets import FACETS, TERMS
from ...search.form import ParsedSearch
from ...search.links import FacetLink, facet_link, url_with
from ...search.running import ArchiveQuery, ArchiveResults, search
from .. import report_data
from ..exports import download_links


def site(request: HttpRequest) -> str:
    """The site's address without the final slash, e.g. ``https://example.org``."""
    return paths.site()


def search_payload(request: HttpRequest, parsed: ParsedSearch, results: ArchiveResults) -> dict:
    base = site(request)
    params = parsed.params
    endpoint = base + reverse("api-v1:search")
    query = results.query

    def api(query_string: str) -> str:
        return endpoint + query_string.rstrip("?")

    def hits(reports) -> list[dict]:
        return [
            {**report_data.summary(r, base), "snippet": str(results.snippets[r.pk])}
            for r in report_data.prefetch(reports)
        ]

    return {
        "query": echo(query),
        "messages": [*parsed.messages, *results.notices],
        "total": results.total,
        "page": query.page,
        "num_pages": results.num_pages,
        "per_page": query.per_page,
        "results": hits(results.reports),
        "partial": hits(results.partial),
        "facets": {
            name: {
                "title": str(FACETS[name].title),
                "values": [facet_value(facet_link(name, v, params), api) for v in values],
            }
            for name, values in results.facets.items()
        },
        "histogram": [{"year": year, "count": count} for year, count in results.histogram],
        "undated": results.undated,
        "also_searched": list(results.also_searched),
        "did_you_mean": (
            {"text": results.suggestion, "url": api(url_with(params, q=results.suggestion))}
            if results.suggestion and not results.corrected_from
            else None
        ),
        "showing_results_for": (
            {
                "text": results.suggestion,
                "searched_for": results.corrected_from,
                "search_instead_url": api(url_with(params, exact="1")),
            }
            if results.corrected_from
            else None
        ),
        "links": {
            **page_links(api, params, query.page, results.num_pages),
            "page": base + reverse("archive:search") + url_with(params, drop=()).rstrip("?"),
            **{name: base + url for name, url in download_links(parsed, results).items()},
        },
    }


def facet_value(link: FacetLink, api) -> dict:
    """A facet value as the API gives it: the search page's link, its URL the API's."""
    return {
        "value": link.value,
        "label": link.label,
        "count": link.count,
        "selected": link.selected,
        "parent": link.parent,
        "toggle_url": api(link.url),
    }


def echo(query: ArchiveQuery) -> dict:
    return {
        "q": query.text,
        "filters": {name: list(values) for name, values in query.filters.items()},
        "from": query.date_from.isoformat() if query.date_from else None,
        "to": query.date_to.isoformat() if query.date_to else None,
        "sort": query.sort,
        "page": query.page,
        "exact": query.exact,
    }


def page_links(api, params: QueryDict, page: int, last: int) -> dict:
    def url(number: int) -> str:
        return api(url_with(params, drop=(), page=str(number) if number > 1 else None))

    return {
        "self": url(page),
        "first": url(1),
        "last": url(last),
        "next": url(page + 1) if page < last else None,
        "previous": url(page - 1) if page > 1 else None,
    }


def report_counts() -> dict[str, dict[str, int]]:
    """Published reports for each term of each vocabulary, as the search's facets count them."""
    results = search(ArchiveQuery(sort="newest", per_page=1), suggest=False)
    return {
        facet.name: {v.value: v.count for v in results.facets.get(facet.name, [])}
        for facet in TERMS
    }


def vocabulary_entry(request: HttpRequest, facet, terms: int) -> dict:
    return {
        "name": facet.name,
        "title": str(facet.title),
        "plural": str(facet.plural),
        "tree": facet.tree,
        "url": site(request) + reverse("api-v1:vocabulary", kwargs={"name": facet.name}),
        "term_count": terms,
    }


def public_terms(facet, counts: dict[str, int], details: bool = True) -> list:
    """The terms readers may see: used by a published report, or in the reference vocabulary.

    The same rule as term pages and other names (``search.VisibleTerms``): a
    term made for a draft, and its other names, stay private. ``details``
    fetches parents and other names too.
    """
    terms = facet.model.objects.all()
    if details and any(f.name == "parent" for f in facet.model._meta.get_fields()):
        terms = terms.select_related("parent")
    if details and facet.alias_model is not None:
        terms = terms.prefetch_related("aliases")
    return [t for t in terms if counts.get(t.slug, 0) > 0 or t.reference]


def vocabulary_payload(request: HttpRequest, facet) -> dict:
    base = site(request)
    counts = report_counts()[facet.name]
    shown = public_terms(facet, counts)
    public = {t.slug for t in shown}
    terms = []
    for t in shown:
        parent = getattr(t, "parent", None)
        if parent is not None and parent.slug not in public:
            parent = None  # a term made for unpublished work is not named
        kind = t.get_kind_display() if hasattr(t, "get_kind_display") else ""
        count = counts.get(t.slug, 0)
        aliases = t.aliases.all() if facet.alias_model is not None else []
        terms.append(
            {
                "slug": t.slug,
                "name": t.name,
                "url": base + t.get_absolute_url() if count else None,
                "parent": parent.slug if parent is not None else None,
                "kind": str(kind),
                "description": t.description,
                "report_count": count,
                "aliases": [
                    {
                        "name": a.name,
                        "kind": a.kind,
                        "kind_label": str(a.get_kind_display()),
                        "used_from": a.used_from,
                        "used_until": a.used_until,
                        "ambiguous": a.ambiguous,
                        "note": a.note,
                    }
                    for a in aliases
                ],
            }
        )
    entry = vocabulary_entry(request, facet, len(terms))
    del entry["term_count"]
    return {**entry, "terms": terms}


def vocabularies_payload(request: HttpRequest) -> dict:
    counts = report_counts()
    return {
        "vocabularies": [
            vocabulary_entry(request, facet, len(public_terms(facet, counts[facet.name], False)))
            for facet in TERMS
        ]
    }
