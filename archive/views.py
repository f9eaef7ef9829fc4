"""Public pages. Every query of reports starts from ``Report.objects.published()``."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from .models import Agency, Region, Report, Source, Topic

TERM_MODELS = {"region": Region, "agency": Agency, "topic": Topic, "source": Source}
PAGE_SIZE = 20


def _tagged(reports):
    return reports.select_related("source").prefetch_related("regions", "agencies")


def home(request):
    """The latest published reports.

    Context: ``reports`` (a page of them), ``page_obj``.
    """
    reports = _tagged(Report.objects.published())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archive/home.html", {"page_obj": page, "reports": page.object_list})


def report_detail(request, slug):
    """One published report. Context: ``report``."""
    report = get_object_or_404(_tagged(Report.objects.published()), slug=slug)
    return render(request, "archive/report_detail.html", {"report": report})


@staff_member_required
@permission_required("archive.view_report", raise_exception=True)
def report_preview(request, slug):
    """Any report as the public would see it once published, for editors."""
    report = get_object_or_404(_tagged(Report.objects.all()), slug=slug)
    return render(request, "archive/report_detail.html", {"report": report, "preview": True})


def term_detail(request, slug, model):
    """A region, agency, topic or source with its published reports.

    A region's list includes the reports tagged with the places inside it.
    Context: ``term``, ``kind``, ``reports``, ``page_obj``.
    """
    term = get_object_or_404(TERM_MODELS[model], slug=slug)
    reports = Report.objects.published().tagged_with(term)
    if not reports.exists():
        # A term only drafts use (e.g. a topic an import created) stays private.
        raise Http404("No published reports with this term.")
    page = Paginator(_tagged(reports), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"term": term, "kind": model, "page_obj": page, "reports": page.object_list}
    return render(request, "archive/term_detail.html", context)


def health(request):
    """Liveness for monitors: database, search index and the indexer's lag, as JSON.

    Answers 503 when the database or the index cannot be read.
    """
    from haystack import connections

    from . import indexing

    body = {"status": "ok"}
    try:
        body["indexer"] = indexing.status()
        body["published_reports"] = Report.objects.published().count()
    except Exception as exc:  # the monitor needs an answer, not a 500
        body.update(status="error", database=str(exc))
    try:
        body["indexed_reports"] = connections["default"].get_backend().document_count()
    except Exception as exc:
        body.update(status="error", index=str(exc))
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


def search_page(request):
    """The faceted search page; every state is a plain GET URL.

    Context: ``results`` (ArchiveResults), ``facets``, ``chips``, ``bars``,
    ``pages``, ``sorts``, ``messages_`` (what was wrong with the parameters),
    ``params`` and ``clear_url``.
    """
    from dataclasses import replace

    from .forms import parse_search, url_with
    from .presentation import (
        chips,
        facet_boxes,
        histogram,
        page_links,
        sort_links,
        undated_count,
    )
    from .search import search

    parsed = parse_search(request.GET)
    results = search(parsed.query)
    if results.total and parsed.query.page > results.num_pages:
        parsed.messages.append(f"There are only {results.num_pages} page(s); showing the last one.")
        query = replace(parsed.query, page=results.num_pages)
        results = search(query)
        parsed.params["page"] = str(query.page)
    params = parsed.params
    context = {
        "results": results,
        "params": params,
        "facets": facet_boxes(results, params),
        "chips": chips(results, params),
        "bars": histogram(results, params),
        "undated": undated_count(results),
        "pages": page_links(results, params),
        "sorts": sort_links(params, results.query.sort, bool(results.query.text)),
        "messages_": parsed.messages,
        "clear_url": url_with(params, drop=("page", *FACET_PARAMS)),
        "suggestion_url": url_with(params, q=results.suggestion) if results.suggestion else None,
    }
    return render(request, "archive/search.html", context)


FACET_PARAMS = ("region", "agency", "topic", "source", "year", "month", "from", "to")
