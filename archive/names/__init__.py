"""Every name of every term, and how spellings meet.

- ``vocabulary``: the vocabulary this process holds (``current()``), re-read when
  an editor changes a term or an alias;
- ``known``: the ``Vocabulary`` itself, its look-ups, search widening and facet
  look-ups; ``expansion`` widens one query, ``mentions`` finds the terms a text
  names; ``types``: the shapes they share (a term, a name, a mention);
- ``romanization``: the folding key under which romanizations meet.

The edit distance near misspellings are measured by is ``common.distance`` (the
search engine's spelling uses it too).

May import ``common``, ``models`` and ``facets``; never the search, the pages or
the research wing. ``romanization`` imports nothing of Django (the fixture
builders use it as plain Python).
"""
