"""The archive's search engine: the only package that knows about Whoosh and numpy.

Whoosh holds the index; haystack's ``SearchQuerySet`` and ``update_index``
keep working on it. The backend subclasses haystack's and fixes its measured
traps:

- facet fields are exact keywords (``SlugsField``): no stemming, no comma
  splitting, dots and hyphens kept;
- every segment's postings are copied into memory-mapped numpy arrays when
  it is written, and searches run over those: matching, BM25F with
  proximity, phrases through word pairs, facet counts, dates and pages, in
  milliseconds at 100,000 reports, with the work of every query bounded;
- writes go through one writer with a lock timeout that raises instead of
  failing silently, and segments are written non-compound;
- the index lives in a generation folder named by a ``CURRENT`` pointer, so a
  rebuild fills a new folder while searches answer from the old one, then
  switches atomically.

Modules: ``protocol`` (what the archive asks of any engine: ``SearchEngine``),
``backend`` (the haystack backend and engine: the index's life), ``answers``
(what a search asks of it), ``folders`` (generation folders and the pointer to
the live one), ``formats`` (positions numpy can read), ``arrays`` (a segment's
arrays, memory-mapped) and ``deriving`` (writing them, once a segment),
``generation`` (the segments of one open index as one numbering), ``query``
(matching and ranking), ``highlight`` (snippets) and ``spelling`` (did you
mean).
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
