"""Finding reports: the search form (``form``), the links that change a search
(``links``), a
request's search as the page and the API run it (``request``), running a search
through the engine with visibility applied and related reports (``running``),
"did you mean" (``did_you_mean``), and applying the outbox to the index
(``indexing``). The engine itself is ``search_backend``, behind its protocol.

May import ``common``, ``models``, ``facets``, ``names`` and ``search_backend``;
never the pages or the research wing.
"""
