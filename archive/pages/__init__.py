"""What readers see: the views by page (``views``; the A-Z lists and the About page in
``browsing``), the pieces of a search page (``sidebar``, ``pagination``, ``cards``,
``result_nav``), the map, grids and timelines (``visuals``), feeds and sitemaps.

May import every other wing. Nothing imports ``pages`` but ``urls``.
"""
