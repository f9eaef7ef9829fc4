"""The JSON API, version 1 (/api/v1/): ``endpoints`` (the NinjaAPI and its
routes), ``schemas`` (the answers' shapes and the OpenAPI document),
``payloads`` (answers built from the search page's own results), ``docs``
(the page for people) and ``urls``."""
