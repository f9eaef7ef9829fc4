"""The API's page for people: its OpenAPI document written out as HTML on the server.

Swagger UI and ReDoc run inline script from other sites, which the archive's
Content Security Policy forbids; this page needs none. It reads the same
document that /api/v1/openapi.json serves, so it cannot drift from it.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .endpoints import api
from .payloads import site

METHODS = ("get", "post", "put", "patch", "delete")


def type_of(schema: dict) -> str:
    """A JSON Schema type in words: ``list of SearchHit``, ``string or null``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(option) for option in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {type_of(schema['additionalProperties'])}"
    if "enum" in schema:
        return f"{kind}: " + " | ".join(str(value) for value in schema["enum"])
    return kind


def operations(document: dict) -> list[dict]:
    found = []
    for path, methods in document.get("paths", {}).items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            found.append(
                {
                    "id": operation.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p.get("in", ""),
                            "type": type_of(p.get("schema", {})),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": answer.get("description", ""),
                            "type": type_of(
                                answer.get("content", {})
                                .get("application/json", {})
                                .get("schema", {})
                            ),
                        }
                        for status, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return found


def components(document: dict) -> list[dict]:
    found = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", ()))
        found.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "fields": [
                    {
                        "name": field,
                        "type": type_of(prop),
                        "required": field in required,
                        "description": prop.get("description", ""),
                    }
                    for field, prop in schema.get("properties", {}).items()
                ],
            }
        )
    return found


SECOND, MINUTE = gettext_lazy("second"), gettext_lazy("minute")
HOUR, DAY = gettext_lazy("hour"), gettext_lazy("day")
PERIODS = {
    "s": SECOND,
    "sec": SECOND,
    "m": MINUTE,
    "min": MINUTE,
    "h": HOUR,
    "hour": HOUR,
    "d": DAY,
    "day": DAY,
}


def rate_text(rate: str) -> str:
    """“120/min” as readers say it: “at most 120 per minute”; an empty rate is no limit."""
    if not rate:
        return str(_("no limit"))
    count, _slash, period = rate.partition("/")
    words = {"count": count, "period": PERIODS.get(period, period)}
    return str(_("at most %(count)s per %(period)s") % words)


def page(request):
    """The API's documentation: endpoints, parameters, answers and their fields, examples.

    Context: ``info`` (title, version, description), ``operations``,
    ``schemas``, ``openapi_url``, ``example`` (a curl command), ``api_rate``,
    ``export_rate``, ``export_limit``.
    """
    document = api.get_openapi_schema()
    base = site(request)
    search_url = base + reverse("api-v1:search")
    context = {
        "info": document["info"],
        "operations": operations(document),
        "schemas": components(document),
        "openapi_url": reverse("api-v1:openapi-json"),
        "example": f"curl '{search_url}?q=bowibu&region=ryanggang&sort=newest'",
        "api_rate": rate_text(settings.ARCHIVE_API_RATE),
        "export_rate": rate_text(settings.ARCHIVE_EXPORT_RATE),
        "export_limit": f"{settings.ARCHIVE_EXPORT_LIMIT:,}",
    }
    return render(request, "archive/api_docs.html", context)


def not_found(request):
    """Any other address under /api/v1/: a JSON 404, never the site's HTML page."""
    return JsonResponse({"detail": _("There is nothing at this address in the API.")}, status=404)
