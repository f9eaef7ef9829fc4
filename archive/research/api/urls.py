"""The API's addresses, included at /api/v1/ under the namespace ``api-v1``.

Django Ninja's own (the endpoints, ``openapi.json`` and its root), the page
for people, and a JSON 404 for any other address ending in a slash (one
without is sent to it by ``APPEND_SLASH``, as on the rest of the site).
"""

import functools

from django.http import JsonResponse
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _

from . import docs
from .endpoints import api

app_name = "api-v1"


def json_405(view):
    """Django Ninja answers a method it does not serve in plain text: answer JSON."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response["Content-Type"].startswith(
            "application/json"
        ):
            message = _("The API only reads: use GET.")
            return JsonResponse(
                {"detail": message}, status=405, headers={"Allow": response["Allow"]}
            )
        return response

    return wrapped


urlpatterns = [
    path("docs/", docs.page, name="docs"),
    *(URLPattern(p.pattern, json_405(p.callback), p.default_args, p.name) for p in api.urls[0]),
    re_path(r"^(?:.*/)?$", docs.not_found, name="not-found"),
]
