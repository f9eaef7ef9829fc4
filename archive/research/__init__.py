"""What researchers take away from the archive: the JSON API, citations, exports of
searches, reports as data, search alerts by mail, and each report's versions with
the differences between them; with the rate limits on all of it.

May import ``common``, ``models``, ``facets``, the search (``search``, ``forms``,
``search_request``), the names (``vocabulary``) and the page helpers it shares
with the search page; nothing outside ``urls`` and ``admin`` imports a view here.
"""
