"""Suggesting the terms a report names, for an editor to accept or reject.

Nothing is tagged silently: the importer and the admin create
``TagSuggestion`` rows for the kinds of term ``archive.facets`` marks as
suggested, and only an editor's "accept" adds the tag.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from ..facets import FACETS, TERMS
from ..models import Report, ReportVersion, TagSuggestion
from ..names.known import Vocabulary
from ..names.vocabulary import current
from . import taggers
from .findings import RULES, findings, report_text, scanned_text, sentence_at  # noqa: F401

SUGGESTED = tuple(facet for facet in TERMS if facet.suggested)
ACCEPTED, AUTOMATIC, PENDING = (
    TagSuggestion.Decision.ACCEPTED,
    TagSuggestion.Decision.AUTOMATIC,
    TagSuggestion.Decision.PENDING,
)


def new_suggestions(
    report: Report, tagged: set[tuple[str, int]], names: Vocabulary | None = None
) -> list[TagSuggestion]:
    """Unsaved suggestions for the terms the text names and the report is not tagged with,
    each with its rule, sentence and (from the learned taggers) probability. Those to
    apply at once are marked decided (``AUTOMATIC``): whoever saves them adds their tags
    too (``add_automatic_tags``). See ``taggers.decisions``."""
    return new_suggestions_of_many([(report, tagged)], names)


def new_suggestions_of_many(
    reports: list[tuple[Report, set[tuple[str, int]]]], names: Vocabulary | None = None
) -> list[TagSuggestion]:
    """``new_suggestions`` for many (report, its tags) at once, as an import makes them."""
    texts = [report_text(report) for report, _ in reports]
    decided = taggers.decisions_of_many(texts, names or current())
    return [
        TagSuggestion.objects.for_term(
            report,
            FACETS[found.entry.facet].model,
            found.entry.pk,
            found.evidence,
            context=sentence_at(text, found.start),
            rule=found.rule,
            decision=decision,
            probability=probability,
        )
        for (report, tagged), text, made in zip(reports, texts, decided, strict=True)
        for found, decision, probability in made
        if (found.entry.facet, found.entry.pk) not in tagged
    ]


def add_automatic_tags(suggestions: list[TagSuggestion], queue: bool = True) -> int:
    """Tag the reports with what the automatic suggestions name (in bulk, saved reports);
    ``queue=False``: the caller queues them for the index itself."""
    facets = {ContentType.objects.get_for_model(f.model).pk: f for f in SUGGESTED}
    links: dict[str, list[tuple[int, int]]] = {}
    for suggestion in suggestions:
        if suggestion.decision == AUTOMATIC:
            facet = facets[suggestion.term_type_id]
            links.setdefault(facet.report_field, []).append(
                (suggestion.report_id, suggestion.term_id)
            )
    for report_field, pairs in links.items():
        retag(report_field, added=pairs, queue=queue)
    return sum(len(pairs) for pairs in links.values())


def tag_table(report_field: str):
    """The table of one kind of tag, and its column of term ids (``region_id``)."""
    field_ = Report._meta.get_field(report_field)
    return field_.remote_field.through, f"{field_.m2m_reverse_field_name()}_id"


def retag(report_field: str, added=(), removed=(), queue: bool = True) -> None:
    """Add and remove many (report, term) tags of one kind in bulk: the bulk writes of
    tags, which send no signals, end where the others do (``Report.objects.retagged``)."""
    through, column = tag_table(report_field)
    with transaction.atomic():
        if added:
            through.objects.bulk_create(
                [through(report_id=r, **{column: t}) for r, t in added], ignore_conflicts=True
            )
        for report_id, term_id in removed:
            through.objects.filter(report_id=report_id, **{column: term_id}).delete()
        Report.objects.filter(pk__in={r for r, _ in [*added, *removed]}).retagged(queue)


def suggest(report: Report) -> int:
    """Add suggestions for what the report names that is neither tagged nor decided on."""
    kinds = {ContentType.objects.get_for_model(f.model).pk: f.name for f in SUGGESTED}
    decided = {
        (kinds[type_id], term_id)
        for type_id, term_id in report.tag_suggestions.values_list("term_type", "term_id")
        if type_id in kinds
    }
    suggestions = new_suggestions(report, tags_of(report) | decided)
    with ReportVersion.objects.one_change():  # its automatic tags: one version
        TagSuggestion.objects.bulk_create(suggestions)
        for suggestion in suggestions:  # through the relation, so the index hears of it
            if suggestion.decision == AUTOMATIC:
                _tags(suggestion).add(suggestion.term_id)
    return len(suggestions)


def decide_many(suggestions, decision: str) -> int:
    """Accept or reject many suggestions at once (the review screen): tags are added or
    removed in bulk, and the published reports queued for the search index."""
    facets = {ContentType.objects.get_for_model(f.model).pk: f for f in SUGGESTED}
    rows = suggestions.exclude(decision=decision)
    chosen = list(rows.values_list("pk", "report_id", "term_type_id", "term_id", "decision"))
    if not chosen:
        return 0
    # One change: a report given a region and a topic at once gets one version.
    with ReportVersion.objects.one_change():
        by_field: dict[str, list[tuple[int, int]]] = {}
        for _pk, report_id, type_id, term_id, before in chosen:
            if decision == TagSuggestion.Decision.ACCEPTED or before in (ACCEPTED, AUTOMATIC):
                # A tag is taken off only where the suggestion put it.
                field_name = facets[type_id].report_field
                by_field.setdefault(field_name, []).append((report_id, term_id))
        accepted = decision == TagSuggestion.Decision.ACCEPTED
        for report_field, pairs in by_field.items():
            retag(report_field, added=pairs if accepted else (), removed=() if accepted else pairs)
        TagSuggestion.objects.filter(pk__in=[row[0] for row in chosen]).update(decision=decision)
        # A decision that changed no tag still changes what an open form holds.
        retagged = {report_id for pairs in by_field.values() for report_id, _ in pairs}
        Report.objects.filter(pk__in={row[1] for row in chosen} - retagged).touch()
    return len(chosen)


def note_removed_tags(report: Report) -> int:
    """An automatic tag an editor took off the report is a rejection: it is not made again."""
    present = tags_of(report)
    kinds = {ContentType.objects.get_for_model(f.model).pk: f.name for f in SUGGESTED}
    gone = [
        s.pk
        for s in report.tag_suggestions.filter(decision=AUTOMATIC)
        if (kinds.get(s.term_type_id), s.term_id) not in present
    ]
    return TagSuggestion.objects.filter(pk__in=gone).update(
        decision=TagSuggestion.Decision.REJECTED
    )


def decided(suggestion: TagSuggestion, before: str) -> None:
    """Bring the report's tags in line with a decision changed from ``before`` (the
    report form): accepted or automatic means tagged, anything else not."""
    tagged = (ACCEPTED, AUTOMATIC)
    if suggestion.decision in tagged and before not in tagged:
        _tags(suggestion).add(suggestion.term_id)
    elif suggestion.decision not in tagged and before in tagged:
        _tags(suggestion).remove(suggestion.term_id)


def _tags(suggestion: TagSuggestion):
    facet = next(f for f in SUGGESTED if f.model is suggestion.term_type.model_class())
    return getattr(suggestion.report, facet.report_field)


def tags_of(report: Report) -> set[tuple[str, int]]:
    """(facet name, term pk) for each suggested kind of tag the report has."""
    return {
        (facet.name, pk)
        for facet in SUGGESTED
        for pk in getattr(report, facet.report_field).values_list("pk", flat=True)
    }
