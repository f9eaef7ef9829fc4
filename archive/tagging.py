"""Suggesting the terms a report names, for an editor to accept or reject.

Nothing is tagged silently: the importer and the admin create
``TagSuggestion`` rows for the kinds of term ``archive.facets`` marks as
suggested, and only an editor's "accept" adds the tag.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from .facets import FACETS, TERMS
from .models import Report, TagSuggestion
from .vocabulary import Vocabulary, current

SUGGESTED = tuple(facet for facet in TERMS if facet.suggested)


def report_text(report: Report) -> str:
    return "\n".join(filter(None, [report.headline, report.dek, report.photo_caption, report.body]))


def new_suggestions(
    report: Report, tagged: set[tuple[str, int]], names: Vocabulary | None = None
) -> list[TagSuggestion]:
    """Unsaved suggestions for the terms the text names and the report is not tagged with."""
    names = names or current()
    return [
        TagSuggestion.objects.for_term(report, FACETS[entry.facet].model, entry.pk, evidence)
        for entry, evidence in names.scan(report_text(report))
        if (entry.facet, entry.pk) not in tagged
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
class Evaluation:
    """How the suggestions compare with tags editors chose by hand."""

    suggested: int
    correct: int
    tagged: int
    misses: list[tuple[str, str]]  # (report slug, term slug) tagged but not suggested
    extras: list[tuple[str, str, str]]  # (report slug, term slug, evidence) suggested wrongly

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.tagged if self.tagged else 1.0


def evaluate(reports) -> Evaluation:
    """Suggest for each report as if it were untagged, and compare with its tags."""
    names = current()
    suggested = correct = tagged = 0
    misses, extras = [], []
    for report in reports:
        truth = tags_of(report)
        found = {(e.facet, e.pk): (e, evidence) for e, evidence in names.scan(report_text(report))}
        tagged += len(truth)
        suggested += len(found)
        correct += len(truth & set(found))
        for facet, pk in sorted(truth - set(found)):
            misses.append((report.slug, names.entries[(facet, pk)].slug))
        for key in sorted(set(found) - truth):
            entry, evidence = found[key]
            extras.append((report.slug, entry.slug, evidence))
    return Evaluation(suggested, correct, tagged, misses, extras)
