"""Citation downloads: one report's, and every report of a search (capped as exports are)."""

import json
from collections.abc import Iterator

from django.http import HttpResponse
from django.utils import timezone

from ...common.paths import absolute, path
from ...models import Report
from ...responses import not_public
from ...search.form import parse_search
from ..exports import attachment, filename, first_batch, matching_reports
from ..throttling import throttled
from . import Citation
from .formats import bibtex, csl, ris

FORMATS = {  # name -> (extension, content type)
    "bibtex": ("bib", "application/x-bibtex; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "csl": ("csl.json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


def citation_of(request, report: Report, version: bool = False) -> Citation:
    permalink = absolute(path("archive:report", report.slug))
    return Citation.of(report, permalink, timezone.now().date(), version=version)


def report_citation(request, slug: str, fmt: str):
    """One published report's citation as a file; a withdrawn report is gone (410)."""
    report = Report.objects.published().select_related("source").filter(slug=slug).first()
    if report is None:
        return not_public(request, slug)
    extension, content_type = FORMATS[fmt]
    citation = citation_of(request, report, version=True)
    if fmt == "csl":
        content = json.dumps([csl(citation)], ensure_ascii=False, indent=2) + "\n"
    else:
        content = bibtex(citation) if fmt == "bibtex" else ris(citation)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.slug}.{extension}"'
    return response


@throttled("ARCHIVE_EXPORT_RATE", "export")
def search_citations(request, fmt: str):
    """Citations of every report of the search in the URL (as many as an export holds)."""
    extension, content_type = FORMATS[fmt]
    first = first_batch(parse_search(request.GET).query)
    citations = (citation_of(request, r) for r in matching_reports(first))
    lines = _csl_array(citations) if fmt == "csl" else _entries(citations, fmt)
    return attachment(lines, content_type, filename("citations", extension), first)


def _entries(citations: Iterator[Citation], fmt: str) -> Iterator[str]:
    for citation in citations:
        yield (bibtex(citation) + "\n") if fmt == "bibtex" else ris(citation) + "\r\n"


def _csl_array(citations: Iterator[Citation]) -> Iterator[str]:
    """A JSON array written an item at a time."""
    yield "["
    for index, citation in enumerate(citations):
        yield ("," if index else "") + "\n" + json.dumps(csl(citation), ensure_ascii=False)
    yield "\n]\n"
