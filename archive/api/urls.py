"""The API's addresses, included at /api/v1/ under the namespace ``api-v1``.

Django Ninja's own (the endpoints, ``openapi.json`` and its root), the page
for people, and a JSON 404 for any other address ending in a slash (one
without is sent to it by ``APPEND_SLASH``, as on the rest of the site).
"""

from django.urls import path, re_path

from . import docs
from .endpoints import api

app_name = "api-v1"

urlpatterns = [
    path("docs/", docs.page, name="docs"),
    *api.urls[0],
    re_path(r"^(?:.*/)?$", docs.not_found, name="not-found"),
]
