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
