"""The haystack backend subclass: schema, one writer, generation folders, and the open
generation; what a search asks of it is answered in ``answers``.

Whoosh holds the index (haystack's ``SearchQuerySet`` and ``update_index``
keep working on it); after each commit the writer copies the new segments'
postings into arrays (``deriving``), and searches run over those
(``generation``, ``query``), never through Whoosh's matchers.
"""

import logging
import os
import shutil
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from django.db import connections as db_connections
from haystack import connections
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_ID, ID
from haystack.utils import get_identifier
from whoosh import qparser
from whoosh.fields import KEYWORD, NUMERIC, STORED, TEXT
from whoosh.index import LockError, open_dir

from . import arrays, deriving
from .analysis import WordAnalyzer
from .answers import HEADLINE_FIELD, Answers
from .folders import (
    active_folder,
    being_built,
    children_die_with_this_process,
    finish_building,
    point_to,
    start_building,
)
from .formats import ArrayPositions
from .generation import Generation
from .protocol import IndexBusy, identifier

log = logging.getLogger(__name__)


DATE_FIELD = "date_key"
# Arrays of a segment no longer in the index are removed after this long
# (a process may be opening them still).
STALE_ARRAYS_SECONDS = 120
# A process that sees a new index whose arrays the writer has not finished
# keeps answering from the one it has, for at most this long.
WAIT_FOR_WRITER_SECONDS = 60


class ArchiveWhooshBackend(Answers, WhooshSearchBackend):
    """Implements ``protocol.SearchEngine`` on Whoosh and numpy: the index's life here,
    the questions a search asks in ``answers.Answers``."""

    lock_timeout = 5.0
    build_procs = 2
    _lock = threading.Lock()
    # Shared by the backend objects of one process (haystack makes one per
    # thread), keyed by the index root: its live generation.
    _generations: dict[str, Generation] = {}
    _waiting_since: dict[str, float] = {}

    def __init__(self, connection_alias, **options):
        super().__init__(connection_alias, **options)
        self.root = Path(self.path)
        self.lock_timeout = options.get("LOCK_TIMEOUT", self.lock_timeout)

    # -- haystack's hooks --------------------------------------------------

    def setup(self):
        self.path = str(active_folder(self.root))
        _while_files_move(super().setup)
        # Readers may search words, "phrases", AND/OR/NOT, groups, prefix* and
        # boosts; not fields, ranges or fuzzy terms (each can make a query of
        # death). Haystack's own ``self.parser`` keeps its fields for its queries.
        self.readers_parsers = {
            match: self._readers_parser(group)
            for match, group in (("all", qparser.AndGroup), ("any", qparser.OrGroup))
        }

    def _readers_parser(self, group):
        parser = qparser.QueryParser(self.content_field_name, schema=self.schema, group=group)
        for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin):
            parser.remove_plugin_class(plugin)
        return parser

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        self.facet_fields = tuple(
            f.index_fieldname for f in fields.values() if f.field_type == "slugs"
        )
        for field_class in fields.values():
            name = field_class.index_fieldname
            replacement = {
                "slugs": KEYWORD(lowercase=False, commas=False, scorable=False),
                "sortkey": NUMERIC(numtype=int, bits=32, sortable=True, signed=False),
                "stamp": STORED(),
                "headline": TEXT(
                    analyzer=WordAnalyzer(stoplist=None), phrase=False, multitoken_query="and"
                ),
            }.get(field_class.field_type)
            if field_class.document:
                # A typed Korean word of several forms (김정일동지) is those forms in a row.
                replacement = TEXT(
                    analyzer=WordAnalyzer(stoplist=None), phrase=True, multitoken_query="phrase"
                )
                replacement.format = ArrayPositions(field_boost=replacement.format.field_boost)
            if replacement is not None:
                schema.remove(name)
                schema.add(name, replacement)
        return content_field_name, schema

    def update(self, index, iterable, commit=True):
        self.write(index, updates=list(iterable), deletes=[])

    def remove(self, obj_or_string, commit=True):
        self._write(None, updates=[], entries=[get_identifier(obj_or_string)])

    # -- writing -------------------------------------------------------------

    def refresh_setup(self):
        """Follow the pointer if a rebuild switched folders."""
        if not self.setup_complete or Path(self.path) != active_folder(self.root):
            self.setup_complete = False
            self.setup()

    def document(self, index, obj) -> dict:
        doc = index.full_prepare(obj)
        doc.pop("boost", None)
        return {
            key: " ".join(value) if isinstance(value, list | tuple) else self._from_python(value)
            for key, value in doc.items()
        }

    def write(self, index, updates, deletes: list[int]) -> None:
        """Apply one batch with one writer: delete, then add the new versions.

        Raises IndexBusy when the lock cannot be had in time, so callers keep
        the batch and try again instead of losing it.
        """
        self._write(index, updates, [identifier(pk) for pk in deletes])

    def _write(self, index, updates, entries: list[str]) -> None:
        """Remove the entries with these ids and those of ``updates``, add ``updates``."""
        self.refresh_setup()
        ix = self.index
        try:
            writer = ix.writer(timeout=self.lock_timeout, compound=False)
        except LockError as exc:
            raise IndexBusy(f"the search index at {ix.storage.folder} is locked") from exc
        try:
            identifiers = entries + [get_identifier(obj) for obj in updates]
            with writer.searcher() as searcher:
                for entry in identifiers:
                    writer.delete_by_term(ID, entry, searcher=searcher)
            for obj in updates:
                writer.add_document(**self.document(index, obj))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=True)
        self.derive_arrays(Path(self.path))

    def build_generation(self, index, objects, progress=None) -> Path:
        """Write every object into a new folder; the live index is untouched."""
        self.refresh_setup()
        folder = start_building(self.root)
        ix = self.storage.__class__(str(folder)).create_index(self.schema)
        # One sub-writer per core, each leaving its own segment (no final merge).
        procs = max(1, min(self.build_procs, os.cpu_count() or 1))
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        with children_die_with_this_process():
            writer = ix.writer(limitmb=128, compound=False, **options)
            try:
                for count, obj in enumerate(objects, start=1):
                    writer.add_document(**self.document(index, obj))
                    if progress:
                        progress(count)
            except BaseException:
                writer.cancel()
                shutil.rmtree(folder, ignore_errors=True)
                raise
            writer.commit(optimize=False)
            self.derive_arrays(folder, parallel=procs)
        finish_building(folder)
        return folder

    def switch_to(self, folder: Path, keep: int = 1) -> None:
        """Make ``folder`` the live index and remove all but ``keep`` older ones."""
        previous = active_folder(self.root)
        point_to(self.root, folder.name)
        self.setup_complete = False
        self.close()
        olds = sorted(
            (
                p
                for p in self.root.glob("gen-*")
                if p not in (folder, previous) and not being_built(p)
            ),
            key=lambda p: p.stat().st_mtime,
        )
        for old in olds[: max(0, len(olds) - keep + 1)]:
            shutil.rmtree(old, ignore_errors=True)

    def schema_info(self) -> dict:
        return {
            "text_fields": [self.content_field_name, HEADLINE_FIELD],
            "positional": [self.content_field_name],
            "facet_fields": list(self.facet_fields),
            "id_field": DJANGO_ID,
            "date_field": DATE_FIELD,
        }

    def derive_arrays(self, folder: Path, parallel: int = 1) -> None:
        """Write the arrays of every segment of the index in ``folder`` that lacks them."""
        ix = open_dir(str(folder))
        with ix.reader() as reader:
            leaves = [leaf for leaf, _ in reader.leaf_readers() if leaf.segment() is not None]
            missing = [
                leaf.segment().segment_id()
                for leaf in leaves
                if not arrays.is_complete(arrays.folder_for(folder, leaf.segment().segment_id()))
            ]
            info = self.schema_info()
            if parallel > 1 and len(missing) > 1:
                # The children open database connections of their own.
                db_connections.close_all()
                context = get_context("fork")
                with ProcessPoolExecutor(min(parallel, len(missing)), mp_context=context) as pool:
                    jobs = [(self.connection_alias, str(folder), s, info) for s in missing]
                    list(pool.map(_derive_segment, jobs))
            else:
                for leaf in leaves:
                    segment_id = leaf.segment().segment_id()
                    if segment_id in missing:
                        self._derive(leaf, folder, segment_id, info)
            current = {leaf.segment().segment_id() for leaf in leaves}
        _remove_stale_arrays(folder, current)

    def _derive(self, leaf, folder: Path, segment_id: str, info: dict) -> None:
        deriving.derive(leaf, arrays.folder_for(folder, segment_id), info, self.words_of)

    def words_of(self, report_ids: list[int]) -> set[str]:
        """The words of these reports as written (lower case), read from the database
        by the search index that has them (``ReportIndex.words_of``)."""
        found = set()
        for index in connections[self.connection_alias].get_unified_index().collect_indexes():
            if hasattr(index, "words_of"):
                found |= index.words_of(report_ids)
        return found

    def indexed_stamps(self) -> dict[int, str]:
        """django_id -> stamp for every document: what reconciling compares."""
        reader = self.generation().searcher.reader()
        return {int(fields[DJANGO_ID]): fields.get("stamp", "") for _, fields in reader.iter_docs()}

    # -- reading -------------------------------------------------------------

    def generation(self) -> Generation:
        """The current searcher and its arrays, rebuilt only when the index changed.

        One generation is kept per index root: when the index changes (a commit,
        or a rebuild switching folders), the old searcher is closed.
        """
        self.refresh_setup()
        root = str(self.root)
        with self._lock:
            current = self._generations.get(root)
            if (
                current is not None
                and current.folder == self.path
                and current.searcher.up_to_date()
            ):
                return current
            searcher = _while_files_move(lambda: self.index.refresh().searcher())
            folder = Path(self.path)
            leaves = [
                (leaf, leaf.segment().segment_id())
                for leaf, _ in searcher.reader().leaf_readers()
                if leaf.segment() is not None
            ]
            missing = [s for _, s in leaves if not arrays.is_complete(arrays.folder_for(folder, s))]
            if missing and current is not None and current.folder == self.path:
                # The writer is still copying the new segments: keep answering from
                # what we have, unless it has taken too long.
                first_seen = self._waiting_since.setdefault(root, time.monotonic())
                if time.monotonic() - first_seen < WAIT_FOR_WRITER_SECONDS:
                    searcher.close()
                    return current
            self._waiting_since.pop(root, None)
            try:
                self._generations[root] = self._open(searcher, folder, leaves, missing)
            except BaseException:
                searcher.close()
                raise
            if current is not None:
                current.searcher.close()
            return self._generations[root]

    def _open(self, searcher, folder: Path, leaves, missing) -> Generation:
        info = self.schema_info()
        for leaf, segment_id in leaves:
            if segment_id in missing:
                self._derive(leaf, folder, segment_id, info)
        segments = [arrays.SegmentArrays.load(arrays.folder_for(folder, s)) for _, s in leaves]
        deleted = [
            list(leaf.segment().deleted_docs()) if leaf.has_deletions() else []
            for leaf, _ in leaves
        ]
        return Generation.build(self.path, searcher, segments, deleted)

    def close(self) -> None:
        with self._lock:
            current = self._generations.pop(str(self.root), None)
            if current is not None:
                current.searcher.close()

    @classmethod
    def open_searchers(cls) -> int:
        """How many searchers this process holds open (one per index root in use)."""
        return sum(not g.searcher.is_closed for g in cls._generations.values())


def _while_files_move(open_index, attempts: int = 5):
    """Open the index, again if the indexer committed meanwhile: Whoosh lists the folder
    for the newest table of contents, then opens it, and a commit in between deletes
    it (``FileNotFoundError``); the next listing finds the new one."""
    for attempt in range(attempts):
        try:
            return open_index()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


def _derive_segment(job) -> None:
    """In a worker process: write the arrays of one segment (for a parallel rebuild)."""
    alias, folder, segment_id, info = job
    # A forked child must never talk on a database connection it inherited (two
    # processes reading one socket lose their place in it): forget any, unclosed.
    for connection in db_connections.all(initialized_only=True):
        connection.connection = None
    backend = connections[alias].get_backend()
    ix = open_dir(folder)
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            if leaf.segment() is not None and leaf.segment().segment_id() == segment_id:
                backend._derive(leaf, Path(folder), segment_id, info)


def _remove_stale_arrays(folder: Path, current: set[str]) -> None:
    now = time.time()
    for path in folder.glob("arrays-*"):
        segment_id = path.name.removeprefix("arrays-")
        try:
            old = now - path.stat().st_mtime > STALE_ARRAYS_SECONDS
        except OSError:
            continue
        if segment_id not in current and old:
            shutil.rmtree(path, ignore_errors=True)


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
