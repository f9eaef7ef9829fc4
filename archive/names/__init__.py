"""Every name of every term, and how spellings meet: the vocabulary a process holds
(``vocabulary``: widening a search to all of a term's names, finding terms in a
text, facet look-ups) and the folding key of romanizations (``romanization``).
The edit distance near misspellings are measured by is ``common.distance`` (the
search engine's spelling uses it too).

May import ``common``, ``models`` and ``facets``; never the search, the pages or
the research wing. ``romanization`` imports nothing of Django (the fixture
builders use it as plain Python).
"""
