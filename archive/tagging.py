"""Suggesting regions and agencies a report names, for an editor to accept or reject.

Nothing is tagged silently: the importer and the admin create
``TagSuggestion`` rows, and only an editor's "accept" adds the tag.
"""

from dataclasses import dataclass

from .models import Report, TagSuggestion
from .vocabulary import Vocabulary, current

FIELDS = {"region": "regions", "agency": "agencies"}


def report_text(report: Report) -> str:
    return "\n".join(filter(None, [report.headline, report.dek, report.photo_caption, report.body]))


def new_suggestions(
    report: Report, tagged: set[tuple[str, int]], names: Vocabulary | None = None
) -> list[TagSuggestion]:
    """Unsaved suggestions for the terms the text names and the report is not tagged with."""
    names = names or current()
    return [
        TagSuggestion(report=report, evidence=evidence[:300], **{f"{entry.facet}_id": entry.pk})
        for entry, evidence in names.scan(report_text(report))
        if (entry.facet, entry.pk) not in tagged
    ]


def suggest(report: Report) -> int:
    """Add suggestions for what the report names that is neither tagged nor decided on."""
    known = _tagged(report) | {
        (facet, getattr(s, f"{facet}_id"))
        for s in report.tag_suggestions.all()
        for facet in FIELDS
        if getattr(s, f"{facet}_id")
    }
    suggestions = new_suggestions(report, known)
    TagSuggestion.objects.bulk_create(suggestions)
    return len(suggestions)


def accept(suggestion: TagSuggestion) -> None:
    """Tag the report with the suggested term and record the decision."""
    field = FIELDS["region" if suggestion.region_id else "agency"]
    getattr(suggestion.report, field).add(suggestion.term)
    if suggestion.decision != TagSuggestion.Decision.ACCEPTED:
        suggestion.decision = TagSuggestion.Decision.ACCEPTED
        suggestion.save(update_fields=["decision"])


def _tagged(report: Report) -> set[tuple[str, int]]:
    return {
        (facet, pk)
        for facet, field in FIELDS.items()
        for pk in getattr(report, field).values_list("pk", flat=True)
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
        truth = _tagged(report)
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
