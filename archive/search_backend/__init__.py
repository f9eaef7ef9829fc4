"""The archive's Whoosh backend: the only package that knows about Whoosh.

It subclasses haystack's backend, so ``SearchQuerySet``, ``update_index``
and the rest keep working, and fixes its measured traps:

- facet fields are exact keywords (``SlugsField``): no stemming, no comma
  splitting, dots and hyphens kept;
- ``archive_search`` counts facets and applies filters with bitsets cached
  per index segment, reuses one searcher per index generation, and never
  scores a browse without words;
- writes go through one writer with a lock timeout that raises instead of
  failing silently, and segments are written non-compound;
- the index lives in a generation folder named by a ``CURRENT`` pointer, so a
  rebuild fills a new folder while searches answer from the old one, then
  switches atomically.

Modules: ``protocol`` (what the archive asks of any engine: ``SearchEngine``),
``backend`` (the haystack backend and engine), ``generations`` (the pointer
to the live folder), ``facts`` (per-segment bitsets and date keys),
``ranking`` (BM25F from in-memory lengths, the one-pass collector),
``bitsets`` (sets of document numbers as integers).
"""

from .backend import ArchiveWhooshBackend, ArchiveWhooshEngine
from .protocol import IndexBusy, RawResults, SearchEngine, engine, identifier

__all__ = [
    "ArchiveWhooshBackend",
    "ArchiveWhooshEngine",
    "IndexBusy",
    "RawResults",
    "SearchEngine",
    "engine",
    "identifier",
]
