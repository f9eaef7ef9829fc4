"""The haystack backend subclass: schema, one writer, generations, and the archive's search.

Whoosh holds the index (haystack's ``SearchQuerySet`` and ``update_index``
keep working on it); after each commit the writer copies the new segments'
postings into arrays (``arrays``), and searches run over those
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

import numpy as np
from django.db import connections as db_connections
from haystack import connections
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_ID, ID
from haystack.utils import get_identifier
from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import KEYWORD, NUMERIC, STORED, TEXT
from whoosh.index import LockError, open_dir

from . import arrays, spelling
from .analysis import WORDS_RE, WordAnalyzer, indexed_form, is_stop_word
from .formats import ArrayPositions
from .generation import Generation, cross_counts, own_counts
from .generations import (
    active_folder,
    being_built,
    children_die_with_this_process,
    finish_building,
    point_to,
    start_building,
)
from .highlight import MAX_CHARACTERS, highlight, mark, tokens
from .protocol import IndexBusy, RawResults, identifier
from .query import Evaluator

log = logging.getLogger(__name__)

HEADLINE_FIELD = "headline"
DATE_FIELD = "date_key"
# Arrays of a segment no longer in the index are removed after this long
# (a process may be opening them still).
STALE_ARRAYS_SECONDS = 120
# A process that sees a new index whose arrays the writer has not finished
# keeps answering from the one it has, for at most this long.
WAIT_FOR_WRITER_SECONDS = 60
SIMILAR_WORDS = 25


class ArchiveWhooshBackend(WhooshSearchBackend):
    """Implements ``protocol.SearchEngine`` on Whoosh and numpy."""

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
                "headline": TEXT(analyzer=WordAnalyzer(stoplist=None), phrase=False),
            }.get(field_class.field_type)
            if field_class.document:
                replacement = TEXT(analyzer=WordAnalyzer(stoplist=None), phrase=True)
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
        arrays.derive(leaf, arrays.folder_for(folder, segment_id), info, self.words_of)

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

    def archive_search(
        self,
        text: str = "",
        query_text: str | None = None,
        filters: dict[str, tuple[str, ...]] | None = None,
        date_range: tuple[int, int] | None = None,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        disjunctive: bool = True,
        exclude_ids: tuple[int, ...] = (),
        match: str = "all",
        cross: tuple[tuple[str, str], ...] = (),
        dated: dict[tuple[str, ...], tuple[int, int]] | None = None,
        set_aside: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
        own: dict[str, dict[str, str]] | None = None,
    ) -> RawResults:
        """Match, filter, count facets and return one page of report ids.

        With ``disjunctive`` (a search page), a facet's counts ignore that
        facet's own selection, so more of its values can be added with OR;
        without it (a term's page), all counts are within the results.
        ``query_text``, when given, is what is matched (``text`` widened with
        other names). ``match="any"`` finds reports holding any of the words,
        those holding the most first.
        """
        generation = self.generation()
        filters = {name: values for name, values in (filters or {}).items() if values}
        query_text = text if query_text is None else query_text
        scope = self._scope(generation, exclude_ids)
        if date_range is not None:
            scope &= generation.date_range(*date_range)
        for name, (values, kept) in (set_aside or {}).items():
            scope &= ~self._any_of(generation, name, values) | self._any_of(generation, name, kept)
        selected = {
            name: self._any_of(generation, name, values) for name, values in filters.items()
        }
        allowed = scope.copy()
        for mask in selected.values():
            allowed &= mask

        base, score, words, phrases, notices = scope, None, [], [], []
        if query_text.strip():
            query = self.parse(query_text, match)
            evaluator = Evaluator(
                generation,
                self.content_field_name,
                HEADLINE_FIELD,
                scored=sort == "relevance",
                dated=dated,
            )
            typed = query if query_text == text else self.parse(text, match)
            found = evaluator.run(query, typed, text)
            if match == "any":
                found.score = found.score + _words_matched(evaluator, query) * 100.0
            base = scope & found.mask
            score = found.score if sort == "relevance" else None
            words = sorted(evaluator.outcome.words)
            phrases = sorted(evaluator.outcome.phrases)
            notices = evaluator.outcome.notices
        matched = base & allowed

        def counted(*names):
            """What a facet's counts count: the results, less the facets' own selections
            when ``disjunctive``."""
            mask = base
            for other, bits in selected.items():
                if other not in names or not disjunctive:
                    mask = mask & bits
            return mask

        facets = {}
        for name in self.facet_fields:
            if name not in generation.facets:
                facets[name] = {}
                continue
            facets[name] = generation.facets[name].counts(counted(name))

        total = int(matched.sum())
        docnums = self._page(generation, matched, score, sort, offset + limit)
        page = docnums[offset : offset + limit]
        return RawResults(
            total=total,
            ids=[int(i) for i in generation.report_ids[page]],
            facets=facets,
            terms=[*words, *phrases],
            histogram=generation.facets["year"].counts(matched)
            if "year" in generation.facets
            else {},
            notices=notices,
            cross={
                (a, b): cross_counts(generation.facets[a], generation.facets[b], counted(a, b))
                for a, b in cross
                if a in generation.facets and b in generation.facets
            },
            own={
                name: own_counts(generation.facets[name], parents, counted(name))
                for name, parents in (own or {}).items()
                if name in generation.facets
            },
        )

    def parse(self, text: str, match: str = "all"):
        self.refresh_setup()
        parser = self.readers_parsers[match]
        try:
            return parser.parse(text)
        except Exception:  # the parser's own errors on odd input: search the words
            words = " ".join(t.form for t in tokens(text))
            return parser.parse(words) if words else parser.parse("")

    @staticmethod
    def _scope(generation: Generation, exclude_ids) -> np.ndarray:
        scope = generation.live.copy()
        if exclude_ids:
            scope[generation.docnums_of_reports(exclude_ids)] = False
        return scope

    @staticmethod
    def _any_of(generation: Generation, name: str, values) -> np.ndarray:
        mask = np.zeros(generation.size, dtype=bool)
        table = generation.facets.get(name)
        if table is not None:
            mask[table.docs_of(values)] = True
        return mask

    @staticmethod
    def _page(generation: Generation, matched, score, sort: str, needed: int) -> np.ndarray:
        """The first ``needed`` matched documents, best first or by date."""
        candidates = np.flatnonzero(matched)
        if needed <= 0 or not len(candidates):
            return np.empty(0, np.int64)
        if score is not None:
            # Best score first; equal scores by document number, as Whoosh orders them.
            keys = (-score[candidates], candidates)
        else:
            rank = generation.rank[candidates]
            if sort == "oldest":  # known dates oldest first, unknown dates still last
                dated = generation.date_keys[candidates] != 0
                rank = np.where(dated, -rank, rank + generation.size)
            keys = (rank,)
        if len(candidates) > needed:
            first_key = keys[0]
            cut = np.partition(first_key, needed - 1)[needed - 1]
            keep = first_key <= cut
            candidates = candidates[keep]
            keys = tuple(k[keep] for k in keys)
        order = np.lexsort(keys[::-1])
        return candidates[order][:needed]

    def spelling_candidates(self, words: list[str], exclude_ids=()) -> dict[str, list[str]]:
        """For each word no live report holds, the index's nearest words that one does."""
        generation = self.generation()
        allowed = self._scope(generation, exclude_ids)
        body = self.content_field_name
        found = {}
        for word in words:
            if spelling.in_live_document(generation, body, word, allowed):
                continue
            found[word] = [
                c.word
                for c in spelling.candidates(generation, body, word)[:8]
                if spelling.in_live_document(generation, body, c.word, allowed)
            ][:3]
        return found

    def highlight(self, text: str, terms: list) -> str:
        """An HTML-safe snippet of ``text`` with the matched words and phrases in <mark>."""
        return highlight(text, terms) if terms else ""

    def mark(self, text: str, terms: list) -> str:
        """The whole ``text``, HTML-safe, with the matched words and phrases in <mark>."""
        return mark(text, terms)

    def similar(self, report_id: int, text: str, limit: int = 5) -> list[tuple[int, float]]:
        """(report id, likeness) of the indexed reports most like this one, best first.

        The report's most distinctive words (by tf-idf) are searched together;
        likeness is a report's score over the report's own (1: as alike as itself),
        times the share of the report's distinctive words that other reports hold.
        Reports scoring under a tenth of the report's own are left out.
        """
        generation = self.generation()
        own = generation.docnums_of_reports([report_id])
        if not len(own):
            return []
        counts: dict[str, int] = {}
        for token in tokens(text[:MAX_CHARACTERS]):
            if not is_stop_word(token.form):
                counts[token.form] = counts.get(token.form, 0) + 1
        evaluator = Evaluator(generation, self.content_field_name, None)
        weights, own_words = {}, {}
        for form, count in counts.items():
            df = sum(
                s.fields[self.content_field_name].df(i)
                for s in generation.segments
                if (i := s.fields[self.content_field_name].word(form.encode())) >= 0
            )
            if 0 < df <= max(2, generation.size // 10):  # not common
                weight = count * np.log(generation.size / df)
                # Shared with others, or this report's own (which no other can share).
                (weights if df > 1 else own_words)[form] = weight
        chosen = sorted(weights, key=lambda w: -weights[w])[:SIMILAR_WORDS]
        if not chosen:
            return []
        # The share of the report's distinctive words others can have at all: a report
        # whose distinctive words are nearly all its own is like no other, even where
        # the one word it shares is the same.
        top = sorted([*weights.values(), *own_words.values()], reverse=True)[:SIMILAR_WORDS]
        shareable = sum(weights[w] for w in chosen) / sum(top)
        score = np.zeros(generation.size)
        for word in chosen:
            score += evaluator._word(word).score
        scope = self._scope(generation, ())
        score[~scope] = 0
        best = float(score[own].max())
        score[own] = 0
        candidates = np.flatnonzero(score >= best / 10) if best > 0 else np.empty(0, np.int64)
        order = candidates[np.lexsort((candidates, -score[candidates]))][:limit]
        return [
            (int(pk), min(1.0, float(score[i]) / best) * min(1.0, shareable))
            for pk, i in zip(generation.report_ids[order], order, strict=True)
        ]

    def present_values(self, fields, exclude_ids: tuple[int, ...] = ()) -> dict[str, set[str]]:
        """Facet values at least one live document has."""
        generation = self.generation()
        scope = self._scope(generation, exclude_ids)
        return {
            name: set(generation.facets[name].counts(scope)) if name in generation.facets else set()
            for name in fields
        }

    def document_count(self) -> int:
        return int(self.generation().live.sum())

    def indexed_words(self, text: str) -> tuple[str, ...]:
        return tuple(indexed_form(word) for word in WORDS_RE.findall(text))


def _within(year_counts: dict, years, matched, year_selected: bool) -> dict:
    """Years within the results: the year facet's counts unless a year is chosen."""
    if years is None:
        return {}
    return years.counts(matched) if year_selected else year_counts


def _words_matched(evaluator: Evaluator, query) -> np.ndarray:
    """For a query of any words: how many of its words each report holds."""
    count = np.zeros(evaluator.size)
    leaves = query.subqueries if isinstance(query, wq.Or) else [query]
    for leaf in leaves:
        count += evaluator._node(leaf).mask
    return count


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
