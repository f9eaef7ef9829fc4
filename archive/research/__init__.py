"""What researchers take away from the archive: the JSON API, citations, exports of
searches, reports as data, search alerts by mail, and each report's versions with
the differences between them; with the rate limits on all of it.

May import ``common``, ``models``, ``facets``, ``responses``, the search wing and
the names wing; never the pages or the editing wing. Nothing outside ``urls`` and
``admin`` imports a view here.
"""
