"""Downloads of incidents: every published incident of a narrowing of ``/incidents/``
(its parameters), with its published reports, as CSV or JSON Lines, up to
``MAX_EXPORTED`` (and the export limit); the same records as the API's
``/api/v1/incidents/<slug>/``."""

import csv
import json
from collections.abc import Iterator

from django.http import Http404, StreamingHttpResponse

from ..common.paths import site
from ..models import Incident
from ..search.incident_list import narrowed
from . import incident_data
from .exports import FORMATS, SEPARATOR, Echo, filename, flatten, limit
from .throttling import throttled

MAX_EXPORTED = 1000  # incidents a download holds, each with up to 2,000 reports
COLUMNS = [
    *("slug", "url", "api_url", "title", "summary", "began.text", "ended.text"),
    *("regions.name", "agencies.name", "people.name", "topics.name"),
    *("independent_sources", "report_count", "source_kinds", "first_reported.text"),
    *("latest_reported.text", "reports.slug", "reports.stance", "reports.origin_kind"),
    "reports.origin",
]


def records(incidents: Iterator[Incident], base: str) -> Iterator[dict]:
    for incident in incidents:
        yield incident_data.full(incident, base)


def csv_lines(incidents: Iterator[Incident], base: str) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # the byte order mark: spreadsheets read UTF-8
    for record in records(incidents, base):
        kinds = record.pop("source_kinds")
        cells = flatten(record)
        cells["source_kinds"] = SEPARATOR.join(f"{kind}: {n}" for kind, n in kinds.items())
        yield writer.writerow([cells.get(column, "") for column in COLUMNS])


def jsonl_lines(incidents: Iterator[Incident], base: str) -> Iterator[str]:
    for record in records(incidents, base):
        yield json.dumps(record, ensure_ascii=False) + "\n"


@throttled("ARCHIVE_EXPORT_RATE", "export")
def incident_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404("No such format.")
    extension, content_type = FORMATS[fmt]
    found = narrowed(request.GET).incidents
    total = found.count()
    cap = min(limit(), MAX_EXPORTED)
    chosen = found.prefetch_related("regions", "agencies", "people", "topics")[:cap]
    write = csv_lines if fmt == "csv" else jsonl_lines
    response = StreamingHttpResponse(
        write(chosen.iterator(chunk_size=200), site()), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename("incidents", extension)}"'
    response["X-Archive-Total"] = str(total)
    response["X-Archive-Exported"] = str(min(total, cap))
    return response
