"""What readers see: the views by page (``views``, the A-Z lists in ``index_views``),
the pieces of a search page (``presentation``: sidebar, chips, pagination, cards;
``result_nav``), the map, grids and timelines (``visuals``, ``maps``, ``grids``),
feeds and sitemaps.

May import every other wing. Nothing imports ``pages`` but ``urls`` and, for now,
two modules of ``research`` (``views.not_public``, the 404 or 410 answer, and
``presentation.undated_count``): they belong lower down.
"""
