"""Public pages. Every query of reports starts from ``Report.objects.published()``."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Agency, Region, Report, Source, Topic

# Each term page: its model and the report field that points at it.
TERM_PAGES = {
    "region": (Region, "regions__in"),
    "agency": (Agency, "agencies"),
    "topic": (Topic, "topics"),
    "source": (Source, "source"),
}
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
def report_preview(request, slug):
    """Any report as the public would see it once published, for editors."""
    report = get_object_or_404(_tagged(Report.objects.all()), slug=slug)
    return render(request, "archive/report_detail.html", {"report": report, "preview": True})


def term_detail(request, slug, model):
    """A region, agency, topic or source with its published reports.

    A region's list includes the reports tagged with the places inside it.
    Context: ``term``, ``kind``, ``reports``, ``page_obj``.
    """
    term_model, lookup = TERM_PAGES[model]
    term = get_object_or_404(term_model, slug=slug)
    value = region_and_descendants(term) if model == "region" else term
    reports = Report.objects.published().filter(**{lookup: value})
    page = Paginator(_tagged(reports.distinct()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"term": term, "kind": model, "page_obj": page, "reports": page.object_list}
    return render(request, "archive/term_detail.html", context)


def region_and_descendants(region: Region) -> list[int]:
    """Primary keys of a region and every place inside it."""
    found, frontier = [region.pk], [region.pk]
    while frontier:
        frontier = list(
            Region.objects.filter(parent__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found += frontier
    return found
