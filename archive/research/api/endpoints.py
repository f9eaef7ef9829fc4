"""Version 1 of the JSON API, at /api/v1/: search, reports and vocabularies, read only.

Built with Django Ninja: each answer is checked against its schema
(``archive.research.api.schemas``) on the way out, and the same schemas make the
OpenAPI document. Searches go through ``run_search``, the search page's own
path, so they never disagree with the page; everything shown comes from
``Report.objects.published()``. Every error is JSON (``{"detail": …}``),
with the pages' own messages.
"""

import logging
import math

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Status
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer

from ...facets import FACETS, TERMS
from ...models import Incident, Report
from ...search.form import MAX_PAGE
from ...search.incident_list import narrowed
from ...search.request import run_search
from ...search.running import MAX_QUERY_LENGTH, PER_PAGE, PER_PAGE_CHOICES, SORTS
from .. import incident_data
from ..report_data import full, prefetch
from ..throttling import AnonymousRate
from . import payloads, schemas

log = logging.getLogger(__name__)


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # “Hamgyŏng” as it is, not \u0103


DESCRIPTION = """Read-only access to the archive's published reports.

Searches take the search page's parameters and answer with what the page
shows: the same reports in the same order, counts, messages, and
corrections. Anonymous clients are limited by address (120 requests a
minute unless the site sets ARCHIVE_API_RATE); past that the API answers 429
with a Retry-After header. Errors are JSON: {"detail": "…"}."""

api = NinjaAPI(
    title="NK Security Reports Archive API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,  # the site serves its own page, without inline script (see docs.py)
    renderer=Renderer(),
    throttle=[AnonymousRate("ARCHIVE_API_RATE", "api")],
)


def error(request: HttpRequest, message: str, status: int):
    return api.create_response(request, {"detail": str(message)}, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, _("There is nothing at this address in the API."), 404)


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc, Throttled):
        response = error(
            request, _("Too many requests from your address; please wait and try again."), 429
        )
        if exc.wait is not None:
            response["Retry-After"] = str(math.ceil(exc.wait))
        return response
    return error(request, exc.message, exc.status_code)


@api.exception_handler(ValidationError)
def bad_request(request, exc):
    return error(request, _("The address has a part the API cannot read."), 400)


@api.exception_handler(Exception)
def server_error(request, exc):
    log.exception("API error at %s", request.get_full_path())
    return error(request, _("Something went wrong on our side; it has been logged."), 500)


def search_parameters() -> list[dict]:
    """The search page's parameters, for the OpenAPI document (facets from the registry)."""

    def param(name, description, schema, **extra):
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
            **extra,
        }

    many = {"style": "form", "explode": True}
    found = [
        param(
            "q",
            'Words, "phrases", AND/OR/NOT, prefix*. Other names of a place or agency '
            "are searched too (“bowibu”).",
            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        )
    ]
    for facet in FACETS.values():
        if facet.is_term:
            text = f"{facet.title}: a slug or any other name; repeat for OR (facets combine: AND)."
        elif facet.choices:
            text = f"{facet.title}: " + ", ".join(value for value, _ in facet.choices) + "."
        else:
            text = f"{facet.title}: " + ("YYYY." if facet.name == "year" else "YYYY-MM.")
        schema = {"type": "array", "items": {"type": "string"}}
        found.append(param(facet.name, text, schema, **many))
    found += [
        param("from", "Start date: YYYY, YYYY-MM or YYYY-MM-DD.", {"type": "string"}),
        param("to", "End date: YYYY, YYYY-MM or YYYY-MM-DD.", {"type": "string"}),
        param(
            "sort",
            "relevance (the default with words), newest (without) or oldest.",
            {"type": "string", "enum": list(SORTS)},
        ),
        param(
            "page",
            "Pages of per_page reports.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        ),
        param(
            "per_page",
            f"Reports a page: {', '.join(map(str, PER_PAGE_CHOICES))} (default {PER_PAGE}).",
            {"type": "integer", "enum": list(PER_PAGE_CHOICES)},
        ),
        param("exact", "1: the words as typed, no other names, no correction.", {"type": "string"}),
        param(
            "without",
            "Another name the search would add that is to be left out (as in also_searched); "
            "repeat for more.",
            {"type": "array", "items": {"type": "string"}},
            **many,
        ),
        param(
            "means",
            "The meaning chosen for a name several terms share, as facet:slug "
            "(region:kangwon); repeat for more.",
            {"type": "array", "items": {"type": "string"}},
            **many,
        ),
        param(
            "at_the_time",
            "1: a renamed body's other names each only in reports of the years it was in use "
            "(the words typed in every year).",
            {"type": "string"},
        ),
    ]
    return found


@api.get("/", response=schemas.Index, url_name="index", summary="Where everything is")
def index(request):
    base = payloads.site(request)
    report = reverse("api-v1:report", kwargs={"slug": "SLUG"}).replace("SLUG", "{slug}")
    return {
        "title": api.title,
        "version": api.version,
        "search": base + reverse("api-v1:search"),
        "report": base + report,
        "incidents": base + reverse("api-v1:incidents"),
        "vocabularies": base + reverse("api-v1:vocabularies"),
        "openapi": base + reverse("api-v1:openapi-json"),
        "docs": base + reverse("api-v1:docs"),
    }


@api.get(
    "/search/",
    response=schemas.SearchResponse,
    url_name="search",
    by_alias=True,
    summary="Search published reports",
    description=(
        "Every parameter of the search page, with its meaning. A parameter that "
        "cannot be used is left out and named in `messages`, as on the page; a "
        "search never fails for its parameters."
    ),
    openapi_extra={"parameters": search_parameters()},
)
def search_reports(request):
    parsed, results = run_search(request.GET)
    return payloads.search_payload(request, parsed, results)


@api.get(
    "/reports/{slug}/",
    response={200: schemas.Report, 404: schemas.Error, 410: schemas.Error},
    url_name="report",
    summary="One published report",
    description="The same record as each line of an export. A withdrawn report answers 410; "
    "one merged into another (the same story) answers with that report's record.",
)
def report(request, slug: str):
    found = Report.objects.published().select_related("source").filter(slug=slug)
    found = prefetch(list(found), full=True)
    kept = Report.objects.merged_into(slug)
    if not found and kept is not None:  # the same story, kept under another address
        found = prefetch([kept], full=True)
    if found:
        return Status(200, full(found[0], payloads.site(request)))
    if Report.objects.gone(slug):
        message = _(
            "The editors have withdrawn this report from the archive. It is no longer "
            "published here, and links to it will not return."
        )
        return Status(410, {"detail": message})
    message = _(
        "There is no published page at this address. The report may not be public yet, "
        "or the address may be mistyped."
    )
    return Status(404, {"detail": message})


@api.get(
    "/vocabularies/",
    response=schemas.Vocabularies,
    url_name="vocabularies",
    summary="The vocabularies reports are tagged with",
)
def vocabularies(request):
    return payloads.vocabularies_payload(request)


@api.get(
    "/vocabularies/{name}/",
    response={200: schemas.Vocabulary, 404: schemas.Error},
    url_name="vocabulary",
    summary="One vocabulary: its terms, their other names and report counts",
    description="Names: " + ", ".join(f"`{facet.name}`" for facet in TERMS) + ".",
)
def vocabulary(request, name: str):
    facet = next((f for f in TERMS if f.name == name), None)
    if facet is None:
        message = _("There is no vocabulary “%(name)s”.") % {"name": name[:60]}
        return Status(404, {"detail": message})
    return Status(200, payloads.vocabulary_payload(request, facet))


@api.get(
    "/incidents/",
    response=schemas.IncidentList,
    url_name="incidents",
    summary="Published incidents, narrowed as on /incidents/",
    description="Parameters as the page's: `region`, `agency`, `person`, `topic` (slugs; a "
    "place includes the places inside it), `year`, `q` (words of the title or summary), "
    "`sources` (at least this many independent sources), `page` (20 a page).",
)
def incidents(request):
    found = narrowed(request.GET)
    page, shown = found.page(request.GET.get("page"))
    base = payloads.site(request)
    return {
        "total": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "incidents": [incident_data.summary(incident, base) for incident in shown],
    }


@api.get(
    "/incidents/{slug}/",
    response={200: schemas.Incident, 404: schemas.Error},
    url_name="incident",
    summary="One published incident, with its published reports and sources",
)
def incident(request, slug: str):
    found = Incident.objects.published().filter(slug=slug).first()
    if found is None:
        return Status(404, {"detail": _("There is no published incident at this address.")})
    return Status(200, incident_data.full(found, payloads.site(request)))
