"""The haystack backend subclass: schema, one writer, generations and ``archive_search``."""

import heapq
import logging
import os
import re
import shutil
import threading
from pathlib import Path

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_ID, ID
from haystack.utils import get_identifier
from whoosh import highlight
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import KEYWORD, NUMERIC, STORED, TEXT
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.qparser import QueryParser
from whoosh.query import Every, Phrase, Term
from whoosh.scoring import BM25F

from . import bitsets
from .facts import Generation, SegmentFacts, oldest_first, segment_facts
from .generations import active_folder, new_folder_name, point_to
from .protocol import IndexBusy, RawResults, identifier
from .ranking import CachedLengthBM25F, MatchingTopCollector

log = logging.getLogger(__name__)

SPELLING_FIELD = "spelling"
STAMP_FIELD = "stamp"
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


class ArchiveWhooshBackend(WhooshSearchBackend):
    """Implements ``protocol.SearchEngine`` on Whoosh."""

    lock_timeout = 5.0
    build_procs = 2
    _lock = threading.Lock()
    # Shared by the backend objects of one process (haystack makes one per thread),
    # keyed by the index root: its live generation, and the facts of its segments.
    _generations: dict[str, Generation] = {}
    _segments: dict[tuple[str, str], SegmentFacts] = {}

    def __init__(self, connection_alias, **options):
        super().__init__(connection_alias, **options)
        self.root = Path(self.path)
        self.lock_timeout = options.get("LOCK_TIMEOUT", self.lock_timeout)

    # -- haystack's hooks --------------------------------------------------

    def setup(self):
        self.path = str(active_folder(self.root))
        super().setup()
        self.parser = QueryParser(self.content_field_name, schema=self.schema)

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
                "spelling": TEXT(analyzer=StandardAnalyzer(stoplist=None), phrase=False),
            }.get(field_class.field_type)
            if field_class.document:
                replacement = TEXT(analyzer=StemmingAnalyzer(), phrase=True)
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
                for identifier in identifiers:
                    writer.delete_by_term(ID, identifier, searcher=searcher)
            for obj in updates:
                writer.add_document(**self.document(index, obj))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=True)

    def build_generation(self, index, objects, progress=None) -> Path:
        """Write every object into a new folder; the live index is untouched."""
        self.refresh_setup()
        name = new_folder_name()
        folder = self.root / name
        folder.mkdir(parents=True)
        ix = self.storage.__class__(str(folder)).create_index(self.schema)
        # One sub-writer per core, each leaving its own segment (no final merge).
        procs = max(1, min(self.build_procs, os.cpu_count() or 1))
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
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
        return folder

    def switch_to(self, folder: Path, keep: int = 1) -> None:
        """Make ``folder`` the live index and remove all but ``keep`` older ones."""
        previous = active_folder(self.root)
        point_to(self.root, folder.name)
        self.setup_complete = False
        self.close()
        olds = sorted(
            (p for p in self.root.glob("gen-*") if p not in (folder, previous)),
            key=lambda p: p.stat().st_mtime,
        )
        for old in olds[: max(0, len(olds) - keep + 1)]:
            shutil.rmtree(old, ignore_errors=True)

    def indexed_stamps(self) -> dict[int, str]:
        """django_id -> stamp for every document: what reconciling compares."""
        generation = self.generation()
        reader = generation.searcher.reader()
        return {
            int(fields[DJANGO_ID]): fields.get(STAMP_FIELD, "") for _, fields in reader.iter_docs()
        }

    # -- reading -------------------------------------------------------------

    def generation(self) -> Generation:
        """The current searcher and its facts, rebuilt only when the index changed.

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
            searcher = self.index.refresh().searcher(
                weighting=CachedLengthBM25F(self._segment_lengths)
            )
            self._generations[root] = self._derive(searcher)
            if current is not None:
                current.searcher.close()
                if current.folder != self.path:  # a rebuild switched folders
                    self._forget_segments(current.folder)
            return self._generations[root]

    def close(self) -> None:
        with self._lock:
            current = self._generations.pop(str(self.root), None)
            if current is not None:
                current.searcher.close()
                self._forget_segments(current.folder)

    def _forget_segments(self, folder: str) -> None:
        for key in [k for k in self._segments if k[0] == folder]:
            del self._segments[key]

    @classmethod
    def open_searchers(cls) -> int:
        """How many searchers this process holds open (one per index root in use)."""
        return sum(not g.searcher.is_closed for g in cls._generations.values())

    def _derive(self, searcher) -> Generation:
        size = searcher.doc_count_all()
        facets = {name: {} for name in self.facet_fields}
        date_keys: list[int] = []
        live = 0
        seen_segments = set()
        for reader, offset in searcher.reader().leaf_readers():
            if reader.segment() is None:  # an empty index has no segments
                continue
            key = (self.path, reader.segment().segment_id())
            seen_segments.add(key)
            facts = self._segments.get(key)
            if facts is None:
                facts = self._segments[key] = segment_facts(
                    reader, self.content_field_name, self.facet_fields
                )
            for name, values in facts.facets.items():
                merged = facets[name]
                for value, bits in values.items():
                    merged[value] = merged.get(value, 0) | bits << offset
            date_keys.extend(facts.date_keys)
            segment_live = bitsets.all_ones(facts.size)
            if reader.has_deletions():
                deleted = reader.segment().deleted_docs()
                segment_live &= ~bitsets.from_ids(deleted, facts.size)
            live |= segment_live << offset
        for key in [k for k in self._segments if k[0] == self.path and k not in seen_segments]:
            del self._segments[key]  # merged away
        # Undated reports last, the latest added first among them.
        newest_first = sorted(range(size), key=lambda d: (date_keys[d] == 0, -date_keys[d], -d))
        rank = [0] * size
        for position, docnum in enumerate(newest_first):
            rank[docnum] = position
        return Generation(self.path, searcher, size, live, facets, date_keys, newest_first, rank)

    def _segment_lengths(self, searcher, fieldname) -> list[int] | None:
        segment = searcher.reader().segment() if hasattr(searcher.reader(), "segment") else None
        if fieldname != self.content_field_name or segment is None:
            return None
        facts = self._segments.get((self.path, segment.segment_id()))
        return facts.lengths if facts else None

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
        suggest: bool = True,
    ) -> RawResults:
        """Match, filter, count facets and return one page of django ids.

        With ``disjunctive`` (a search page), a facet's counts ignore that
        facet's own selection, so more of its values can be added with OR;
        without it (a term's page), all counts are within the results.
        ``query_text``, when given, is what is matched (``text`` widened with
        other names); spelling suggestions are for ``text`` as typed, unless
        ``suggest`` is off.
        """
        generation = self.generation()
        searcher = generation.searcher
        filters = {name: values for name, values in (filters or {}).items() if values}
        query_text = text if query_text is None else query_text
        query = self.parse(query_text) if query_text.strip() else None

        scope = generation.live & ~self._docnums(searcher, exclude_ids)
        if date_range is not None:
            scope &= generation.date_range(*date_range)
        selected = {
            name: self._any_of(generation.facets.get(name, {}), values)
            for name, values in filters.items()
        }
        allowed = scope
        for bits in selected.values():
            allowed &= bits

        base, ranked = scope, None
        if query is not None and sort == "relevance":
            found, ranked = self._match_and_rank(searcher, query, allowed, offset + limit)
            base &= found
        elif query is not None:
            base &= bitsets.from_ids(searcher.docs_for_query(query), generation.size)
        matched = base & allowed

        facets = {}
        for name in self.facet_fields:
            mask = base
            for other, bits in selected.items():
                if other != name or not disjunctive:
                    mask &= bits
            facets[name] = self._counts(generation.facets.get(name, {}), mask)

        total = matched.bit_count()
        if ranked is not None:
            docnums = ranked
        else:
            docnums = self._by_date(generation, matched, total, offset + limit, sort == "oldest")
        page = docnums[offset : offset + limit]
        ids = [int(searcher.stored_fields(d)[DJANGO_ID]) for d in page]
        return RawResults(
            total=total,
            ids=ids,
            facets=facets,
            suggestion=self.suggest(generation, text, scope) if suggest and text.strip() else None,
            histogram=self._counts(generation.facets.get("year", {}), matched),
            terms=self.query_terms(searcher, query),
        )

    def parse(self, text: str):
        try:
            return self.parser.parse(text)
        except Exception:
            words = " ".join(WORD_RE.findall(text))
            return self.parser.parse(words) if words else Every()

    def _rank_one_word(self, searcher, query, allowed: int, needed: int):
        """BM25F over one word's postings, read a block at a time.

        Whoosh's collectors spend about 5 µs a posting in layers of Python
        calls; reading each block's ids and weights directly and scoring them
        in one loop gives the same scores and order (score, then docnum) in a
        fraction of that. Returns None when the postings are not in the
        expected format, and the general path answers instead.
        """
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            return None
        field_name, text = query.fieldname, query.text
        if (field_name, text) not in searcher.reader():
            return 0, []  # no such word (and no idf to take of an empty index)
        idf = searcher.idf(field_name, text)
        avgfl = searcher.avg_field_length(field_name) or 1
        b, k1 = weighting.B, weighting.K1
        size = searcher.doc_count_all()
        found = bytearray((size + 8) // 8)
        allowed_bytes = bitsets.as_bytes(allowed).ljust(len(found), b"\0")
        scored = []
        for reader, offset in searcher.reader().leaf_readers():
            segment = reader.segment()
            if segment is None or (field_name, text) not in reader:
                continue
            facts = self._segments.get((self.path, segment.segment_id()))
            matcher = reader.postings(field_name, text)
            if isinstance(matcher, FilterMatcher):
                matcher = matcher.child  # deletions are in ``allowed`` already
            if facts is None or not isinstance(matcher, W3LeafMatcher):
                return None
            lengths = facts.lengths
            while matcher.is_active():
                if matcher._ids is None:
                    matcher._read_ids()
                if matcher._weights is None:
                    matcher._read_weights()
                for local, weight in zip(matcher._ids, matcher._weights, strict=True):
                    docnum = local + offset
                    found[docnum >> 3] |= 1 << (docnum & 7)
                    if allowed_bytes[docnum >> 3] >> (docnum & 7) & 1:
                        norm = (1 - b) + b * lengths[local] / avgfl
                        scored.append((idf * ((weight * (k1 + 1)) / (weight + k1 * norm)), -docnum))
                matcher._next_block()
        best = heapq.nlargest(max(needed, 0), scored)
        return int.from_bytes(found, "little"), [-negated for _, negated in best]

    @staticmethod
    def _docnums(searcher, report_ids) -> int:
        """Index entries of these reports (e.g. unpublished, awaiting the indexer)."""
        docnums = (searcher.document_number(**{ID: identifier(pk)}) for pk in report_ids)
        return bitsets.from_ids(d for d in docnums if d is not None)

    @staticmethod
    def _counts(values: dict[str, int], mask: int) -> dict[str, int]:
        counts = {}
        for value, bits in values.items():
            count = (bits & mask).bit_count()
            if count:
                counts[value] = count
        return counts

    @staticmethod
    def _any_of(values: dict[str, int], wanted: tuple[str, ...]) -> int:
        bits = 0
        for value in wanted:
            bits |= values.get(value, 0)
        return bits

    def _match_and_rank(self, searcher, query, allowed: int, needed: int) -> tuple[int, list[int]]:
        """One pass over the postings: every match as a bitset, the best allowed ones ranked.

        Matching and scoring separately reads the postings twice (and checks a
        phrase's word positions twice); collecting both at once halves that.
        A single word, the commonest search, takes a faster path still.
        """
        if isinstance(query, Term) and query.fieldname == self.content_field_name:
            fast = self._rank_one_word(searcher, query, allowed, needed)
            if fast is not None:
                return fast
        collector = MatchingTopCollector(
            limit=max(needed, 1), allowed=bitsets.as_bytes(allowed), size=searcher.doc_count_all()
        )
        searcher.search_with_collector(query, collector)
        ranked = [docnum for _, docnum in collector.results().top_n] if needed > 0 else []
        return int.from_bytes(collector.found, "little"), ranked

    @staticmethod
    def _by_date(generation: Generation, matched: int, total: int, needed: int, oldest: bool):
        if needed <= 0 or not total:
            return []
        rank = generation.rank
        if total * 8 < generation.size:
            docnums = sorted(bitsets.iter_ids(matched), key=rank.__getitem__)
            if oldest:
                docnums = oldest_first(docnums, generation.date_keys)
            return docnums[:needed]
        data = bitsets.as_bytes(matched)
        order = generation.newest_first
        if oldest:
            order = oldest_first(order, generation.date_keys)
        found = []
        for docnum in order:
            if bitsets.contains(data, docnum):
                found.append(docnum)
                if len(found) == needed:
                    break
        return found

    def suggest(self, generation: Generation, text: str, live: int) -> str | None:
        """A corrected query when some word is in no live document, else None.

        Whoosh keeps a deleted document's words in the lexicon until its
        segment is merged, so every candidate is checked against ``live``:
        a withdrawn report's words are never suggested.
        """
        reader = generation.searcher.reader()
        if SPELLING_FIELD not in reader.schema:
            return None
        corrector = generation.searcher.corrector(SPELLING_FIELD)
        changed = False
        live_bytes = bitsets.as_bytes(live)

        def in_live_document(word: str) -> bool:
            if (SPELLING_FIELD, word) not in reader:
                return False
            # Stops at the first live document: a common word costs one step.
            ids = reader.postings(SPELLING_FIELD, word).all_ids()
            return any(bitsets.contains(live_bytes, docnum) for docnum in ids)

        def correct(match):
            nonlocal changed
            word = match.group(0)
            lowered = word.lower()
            if word in OPERATORS or in_live_document(lowered):
                return word
            for suggestion in corrector.suggest(lowered, limit=5, maxdist=2):
                if suggestion != lowered and in_live_document(suggestion):
                    changed = True
                    return suggestion
            return word

        # Words of three or more letters; not field names ("text:") nor prefixes ("defect*").
        corrected = re.sub(r"(?<![\w*:])[^\W\d_]{3,}(?![\w*:])", correct, text)
        return corrected if changed else None

    def query_terms(self, searcher, query) -> list[str | tuple[str, ...]]:
        """What to mark in snippets: indexed words, and phrases as tuples of words.

        A phrase is marked only where its words stand together, so a search for
        "Ministry of State Security" does not light up every "security".
        """
        if query is None:
            return []
        words, phrases = set(), set()
        reader = searcher.reader()
        for leaf in query.leaves():
            if isinstance(leaf, Phrase) and len(leaf.words) > 1:
                if leaf.fieldname == self.content_field_name:
                    phrases.add(tuple(leaf.words))
                continue
            try:
                found = leaf.existing_terms(reader, expand=True)
            except Exception:
                continue
            words |= {text.decode() if isinstance(text, bytes) else text for _, text in found}
        return [*sorted(words), *sorted(phrases)]

    def highlight(self, text: str, terms: list, characters: int = 240) -> str:
        """An HTML-safe snippet of ``text`` with the matched words and phrases in <mark>."""
        if not terms:
            return ""
        words = {t for t in terms if isinstance(t, str)}
        phrases = [t for t in terms if isinstance(t, tuple)]
        analyzer = self.schema[self.content_field_name].analyzer
        tokens = [t.copy() for t in analyzer(text, chars=True, mode="query", removestops=False)]
        for token in tokens:
            token.matched = token.text in words
        # Stop words ("of") do not break a phrase, as they do not in the index.
        content = [i for i, token in enumerate(tokens) if not token.stopped]
        texts = [tokens[i].text for i in content]
        for phrase in phrases:
            for start in range(len(texts) - len(phrase) + 1):
                if tuple(texts[start : start + len(phrase)]) == phrase:
                    for i in content[start : start + len(phrase)]:
                        tokens[i].matched = True
        fragmenter = highlight.ContextFragmenter(maxchars=characters, surround=60)
        fragments = fragmenter.fragment_tokens(text, iter(tokens))
        scorer = highlight.BasicFragmentScorer()
        best = highlight.top_fragments(fragments, 2, scorer, highlight.FIRST, 1)
        return _MarkFormatter(between=" … ")(text, best)

    def similar(self, report_id: int, text: str, limit: int = 5) -> list[int]:
        """Django ids of the indexed reports most like this one, best first."""
        searcher = self.generation().searcher
        docnum = searcher.document_number(**{ID: identifier(report_id)})
        if docnum is None:
            return []
        hits = searcher.more_like(docnum, self.content_field_name, text=text, top=limit)
        return [int(hit[DJANGO_ID]) for hit in hits]

    def present_values(self, fields, exclude_ids: tuple[int, ...] = ()) -> dict[str, set[str]]:
        """Facet values at least one live document has (one bitset test per value)."""
        generation = self.generation()
        live = generation.live & ~self._docnums(generation.searcher, exclude_ids)
        return {name: set(self._counts(generation.facets.get(name, {}), live)) for name in fields}

    def document_count(self) -> int:
        return self.generation().live.bit_count()


class _MarkFormatter(highlight.HtmlFormatter):
    def __init__(self, between):
        super().__init__(tagname="mark", between=between)

    def format_token(self, text, token, replace=False):
        return f"<mark>{highlight.htmlescape(highlight.get_text(text, token, replace))}</mark>"


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
