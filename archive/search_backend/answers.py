"""What the engine answers: a search with its counts, spelling candidates, snippets,
reports alike, the facet values present. ``Answers`` is the part of the haystack
backend (``backend.ArchiveWhooshBackend``) that reads one generation's arrays; the
backend supplies ``generation()``, ``parse()``, ``content_field_name`` and
``facet_fields``.
"""

import numpy as np
from whoosh import query as wq

from . import spelling
from .analysis import WORDS_RE, indexed_forms, is_stop_word
from .generation import Generation, cross_counts, own_counts
from .highlight import MAX_CHARACTERS, highlight, mark, tokens
from .protocol import RawResults
from .query import Evaluator

HEADLINE_FIELD = "headline"
SIMILAR_WORDS = 25


class Answers:
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
        counts: bool = True,
    ) -> RawResults:
        """Match, filter, count facets and return one page of report ids (without
        ``counts``, the total alone).

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

        total = int(matched.sum())
        if not counts:
            return RawResults(total, [], {}, [*words, *phrases], notices=notices)
        facets = {}
        for name in self.facet_fields:
            if name not in generation.facets:
                facets[name] = {}
                continue
            facets[name] = generation.facets[name].counts(counted(name))

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
        return tuple(form for word in WORDS_RE.findall(text) for form in indexed_forms(word))


def _words_matched(evaluator: Evaluator, query) -> np.ndarray:
    """For a query of any words: how many of its words each report holds."""
    count = np.zeros(evaluator.size)
    leaves = query.subqueries if isinstance(query, wq.Or) else [query]
    for leaf in leaves:
        count += evaluator._node(leaf).mask
    return count
