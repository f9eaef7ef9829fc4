"""Suggesting the terms a report names, for an editor to accept or reject.

Nothing is tagged silently: the importer and the admin create
``TagSuggestion`` rows for the kinds of term ``archive.facets`` marks as
suggested, and only an editor's "accept" adds the tag.
"""

import collections
import json
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from .facets import FACETS, TERMS
from .models import Region, Report, TagSuggestion
from .vocabulary import Vocabulary, current

SUGGESTED = tuple(facet for facet in TERMS if facet.suggested)


# "Pyongyang, August 15 (KCNA) -- ": where a wire story was filed, not what it is about.
DATELINE_RE = re.compile(
    r"^[A-Z][\w'’ .-]{1,40}, [A-Z][a-z]{2,8}\.? \d{1,2} \([A-Z][\w ]{1,30}\) --\s*"
)


def report_text(report: Report) -> str:
    return scanned_text(report.headline, report.dek, report.photo_caption, report.body)


def scanned_text(headline: str, *rest: str) -> str:
    """What suggestions are drawn from: the report's texts, the body without its dateline."""
    *middle, body = rest
    return "\n".join(filter(None, [headline, *middle, DATELINE_RE.sub("", body or "")]))


def new_suggestions(
    report: Report, tagged: set[tuple[str, int]], names: Vocabulary | None = None
) -> list[TagSuggestion]:
    """Unsaved suggestions for the terms the text names and the report is not tagged with."""
    return [
        TagSuggestion.objects.for_term(report, FACETS[entry.facet].model, entry.pk, evidence)
        for entry, evidence in named(report_text(report), names)
        if (entry.facet, entry.pk) not in tagged
    ]


def named(text: str, names: Vocabulary | None = None, kinds=None) -> list:
    """What a text names that is worth suggesting: ``Vocabulary.scan``, less a
    foreign country named only once in passing (not in the headline or lead)."""
    names = names or current()
    found = names.scan(text, kinds)
    countries = [e for e, _ in found if e.facet == "region" and e.kind == Region.Kind.COUNTRY]
    if not countries:
        return found
    parts = [p for p in re.split(r"\n+", text) if p.strip()]
    lead = {(e.facet, e.pk) for e, _ in names.scan("\n".join(parts[:2]), kinds)}
    mentions = collections.Counter(
        (e.facet, e.pk) for part in parts[2:] for e, _ in names.scan(part, kinds)
    )
    return [
        (e, evidence)
        for e, evidence in found
        if e not in countries or (e.facet, e.pk) in lead or mentions[(e.facet, e.pk)] >= 2
    ]


def suggest(report: Report) -> int:
    """Add suggestions for what the report names that is neither tagged nor decided on."""
    kinds = {ContentType.objects.get_for_model(f.model).pk: f.name for f in SUGGESTED}
    decided = {
        (kinds[type_id], term_id)
        for type_id, term_id in report.tag_suggestions.values_list("term_type", "term_id")
        if type_id in kinds
    }
    suggestions = new_suggestions(report, tags_of(report) | decided)
    TagSuggestion.objects.bulk_create(suggestions)
    return len(suggestions)


def accept(suggestion: TagSuggestion) -> None:
    """Tag the report with the suggested term and record the decision."""
    facet = next(f for f in SUGGESTED if f.model is suggestion.term_type.model_class())
    getattr(suggestion.report, facet.report_field).add(suggestion.term_id)
    if suggestion.decision != TagSuggestion.Decision.ACCEPTED:
        suggestion.decision = TagSuggestion.Decision.ACCEPTED
        suggestion.save(update_fields=["decision"])


def tags_of(report: Report) -> set[tuple[str, int]]:
    """(facet name, term pk) for each suggested kind of tag the report has."""
    return {
        (facet.name, pk)
        for facet in SUGGESTED
        for pk in getattr(report, facet.report_field).values_list("pk", flat=True)
    }


@dataclass
class Case:
    """A text and the tags an editor chose for it by hand: (facet, term slug) pairs."""

    slug: str
    text: str
    truth: set[tuple[str, str]]


@dataclass
class Evaluation:
    """How the suggestions compare with tags editors chose by hand."""

    suggested: int
    correct: int
    tagged: int
    misses: list[tuple[str, str]]  # (report slug, term slug) tagged but not suggested
    extras: list[tuple[str, str, str]]  # (report slug, term slug, evidence) suggested wrongly
    by_facet: dict[str, "Evaluation"] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.tagged if self.tagged else 1.0


def cases_of(reports) -> list[Case]:
    """Reports as cases, their present tags as the truth."""
    names = current()
    return [
        Case(
            report.slug,
            report_text(report),
            {(facet, names.entries[(facet, pk)].slug) for facet, pk in tags_of(report)},
        )
        for report in reports
    ]


def evaluate(cases, kinds=None) -> Evaluation:
    """Suggest for each case as if it were untagged, and compare with its hand tags.

    ``kinds``: the facets measured (default: every suggested one)."""
    names = current()
    kinds = set(kinds or (f.name for f in SUGGESTED))
    totals = {kind: Evaluation(0, 0, 0, [], []) for kind in sorted(kinds)}
    for case in cases:
        found = {(e.facet, e.slug): evidence for e, evidence in named(case.text, names, kinds)}
        truth = {(facet, slug) for facet, slug in case.truth if facet in kinds}
        for kind, tally in totals.items():
            mine = {key for key in found if key[0] == kind}
            theirs = {key for key in truth if key[0] == kind}
            tally.suggested += len(mine)
            tally.tagged += len(theirs)
            tally.correct += len(mine & theirs)
            tally.misses += [(case.slug, slug) for _, slug in sorted(theirs - mine)]
            tally.extras += [
                (case.slug, slug, found[(kind, slug)]) for _, slug in sorted(mine - theirs)
            ]
    parts = list(totals.values())
    return Evaluation(
        sum(t.suggested for t in parts),
        sum(t.correct for t in parts),
        sum(t.tagged for t in parts),
        [m for t in parts for m in t.misses],
        [e for t in parts for e in t.extras],
        by_facet=totals,
    )


def hand_tagged_cases(tags_path, texts_path) -> list[Case]:
    """Cases from a file of hand tags (a JSON list of {"id", "regions", "agencies",
    "people", "topics"} with term slugs) and a JSON-lines file of the texts by "id",
    cleaned as the importer cleans them."""
    from .importers.jsonl import parse_record

    texts = {}
    with open(texts_path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            record = parse_record(line, str(texts_path), number)
            texts[json.loads(line)["id"]] = scanned_text(record.headline, record.body)
    with open(tags_path, encoding="utf-8") as file:
        hand = json.load(file)
    missing = [entry["id"] for entry in hand if entry["id"] not in texts]
    if missing:
        raise ValueError(f"no text for {len(missing)} hand-tagged id(s), e.g. {missing[0]}")
    return [
        Case(
            entry["id"],
            texts[entry["id"]],
            {
                (facet.name, slug)
                for facet in TERMS
                if facet.many
                for slug in entry.get(facet.report_field, [])
            },
        )
        for entry in hand
    ]
