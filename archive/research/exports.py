"""Every report of a search, downloaded: CSV and JSON Lines, streamed.

An export holds the reports the search page would list over all its pages,
in its order, up to ``ARCHIVE_EXPORT_LIMIT`` (20,000): the pages are read
through ``search()`` (without corrections: the search page's links already
carry the corrected words when the page shows them), a few hundred at a
time, and written out as they come, so memory stays flat. Each record is the
API's report record (``archive.research.report_data.full``); CSV flattens it into dotted
columns (``date.year``, ``regions.name``), with several values in one cell
separated by "; ".
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import get_args

from django.conf import settings
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from ..common.paths import site
from ..models import Report
from ..search.form import ParsedSearch, parse_search
from ..search.links import url_with
from ..search.running import ArchiveQuery, ArchiveResults, search
from . import report_data
from .api.schemas import Report as ReportSchema
from .throttling import throttled

BATCH = 500  # reports read per search; larger pages cost more memory, not less time
SEPARATOR = "; "
FORMATS = {  # name -> (extension, content type)
    "csv": ("csv", "text/csv; charset=utf-8"),
    "jsonl": ("jsonl", "application/jsonl; charset=utf-8"),
}
# Spreadsheets run a cell that begins with these as a formula, also after leading
# white space (" =1+1", "\n=1+1", a no-break space): such a cell gets a leading
# apostrophe (OWASP's advice for CSV injection). The full-width forms count too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def limit() -> int:
    return settings.ARCHIVE_EXPORT_LIMIT


def export_params(parsed: ParsedSearch, results: ArchiveResults) -> QueryDict:
    """The search a download should hold: what the page shows, on every page.

    When the page shows a correction's results ("Showing results for …"),
    that is what is downloaded.
    """
    params = parsed.params.copy()
    params.pop("page", None)
    if results.corrected_from and results.suggestion:
        params["q"] = results.suggestion
    return params


def download_links(parsed: ParsedSearch, results: ArchiveResults) -> dict[str, str]:
    """The site's downloads of a whole search, by format: exports, then citations."""
    query = url_with(export_params(parsed, results)).rstrip("?")
    names = {
        "csv": "search-csv",
        "jsonl": "search-jsonl",
        "bibtex": "search-bibtex",
        "ris": "search-ris",
        "csl_json": "search-csl",
    }
    return {key: reverse(f"archive:{name}") + query for key, name in names.items()}


# The downloads a search page offers, in the order it lists them.
DOWNLOAD_LABELS = (
    ("csv", _("CSV")),
    ("jsonl", _("JSON Lines")),
    ("bibtex", _("BibTeX")),
    ("ris", _("RIS")),
    ("csl_json", _("CSL-JSON")),
)


@dataclass
class Downloads:
    """A search page's downloads of the whole search."""

    links: list[tuple[str, str]]  # (label, url)
    limit: str  # how many reports a download holds at most, written out
    capped: bool  # the search has more reports than a download holds


def downloads(parsed: ParsedSearch, results: ArchiveResults) -> Downloads:
    links = download_links(parsed, results)
    return Downloads(
        [(label, links[key]) for key, label in DOWNLOAD_LABELS],
        f"{limit():,}",
        results.total > limit(),
    )


def matching_reports(first: ArchiveResults, cap: int | None = None) -> Iterator[Report]:
    """The reports of every page of a search, from its first page of ``BATCH`` results."""
    cap = limit() if cap is None else cap
    seen: set[int] = set()
    results = first
    while True:
        # The index may change between pages: a report is never given twice.
        batch = [r for r in results.reports if r.pk not in seen][: cap - len(seen)]
        report_data.prefetch(batch, full=True)
        for report in batch:
            seen.add(report.pk)
            yield report
        if len(seen) >= cap or results.query.page >= results.num_pages:
            return
        results = search(replace(results.query, page=results.query.page + 1), suggest=False)


def first_batch(query: ArchiveQuery) -> ArchiveResults:
    return search(replace(query, page=1, per_page=BATCH), suggest=False)


def columns() -> list[str]:
    """CSV columns: the record's fields, nested ones dotted (``date.year``)."""
    found = []
    for name, info in ReportSchema.model_fields.items():
        nested = _nested_model(info.annotation)
        if nested is None:
            found.append(name)
        else:
            found += [f"{name}.{sub}" for sub in nested.model_fields]
    return found


def _nested_model(annotation):
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def flatten(record: dict) -> dict[str, str]:
    """A record as CSV cells: nested fields dotted, lists joined, null empty."""
    cells = {}
    for name, value in record.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                cells[f"{name}.{sub}"] = _cell(item)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for sub in value[0]:
                cells[f"{name}.{sub}"] = SEPARATOR.join(_cell(item[sub]) for item in value)
        elif isinstance(value, list):
            cells[name] = SEPARATOR.join(_cell(item) for item in value)
        else:
            cells[name] = _cell(value)
    return cells


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    formula_like = text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START)
    return "'" + text if formula_like else text


class Echo:
    """A file whose write returns what was written: csv.writer for streaming."""

    def write(self, value):
        return value


def csv_lines(reports: Iterator[Report], base: str) -> Iterator[str]:
    header = columns()
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(header)  # the byte order mark: spreadsheets read UTF-8
    for report in reports:
        cells = flatten(report_data.full(report, base))
        yield writer.writerow([cells.get(column, "") for column in header])


def jsonl_lines(reports: Iterator[Report], base: str) -> Iterator[str]:
    for report in reports:
        yield json.dumps(report_data.full(report, base), ensure_ascii=False) + "\n"


def attachment(lines: Iterator[str], content_type: str, name: str, first) -> StreamingHttpResponse:
    """A streamed download, with the search's total and how many it holds in headers."""
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Archive-Total"] = str(first.total)
    response["X-Archive-Exported"] = str(min(first.total, limit()))
    return response


def filename(stem: str, extension: str) -> str:
    return f"nk-archive-{stem}-{timezone.now():%Y-%m-%d}.{extension}"


@throttled("ARCHIVE_EXPORT_RATE", "export")
def search_export(request, fmt: str):
    """Every report of the search in the URL's parameters, as CSV or JSON Lines."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    extension, content_type = FORMATS[fmt]
    first = first_batch(parse_search(request.GET).query)
    base = site()
    write = csv_lines if fmt == "csv" else jsonl_lines
    lines = write(matching_reports(first), base)
    return attachment(lines, content_type, filename("search", extension), first)
