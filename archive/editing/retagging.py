"""Asking the taggers again about reports already in the archive, after training, and
taking it back: ``manage.py retag`` and ``retag --undo``.

A retagging never overrides an editor: a suggestion accepted or rejected stays as
it is, and a term an editor tagged is not suggested. It makes suggestions for what
the reports name and nobody decided, applies the ones the taggers are sure of,
raises waiting ones they are now sure of, and withdraws automatic tags they no
longer back (to waiting). Each suggestion it made or changed remembers the run and
what it was before (``TagSuggestion.retagging``), so the run can be undone: made
ones go, changed ones go back, and tags follow. Decisions editors took since stay.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from ..models import Report, Retagging, TagSuggestion
from ..names.vocabulary import current
from . import taggers
from .tagging import SUGGESTED, new_suggestions_of_many, retag, tag_table

PENDING, AUTOMATIC = TagSuggestion.Decision.PENDING, TagSuggestion.Decision.AUTOMATIC
EDITORS = (TagSuggestion.Decision.ACCEPTED, TagSuggestion.Decision.REJECTED)
BATCH = 500


def run(reports, batch: int = BATCH) -> Retagging:
    """Retag these reports (a queryset), ``batch`` at a time; the run, with its counts."""
    names = current()
    model, reason = taggers.loaded(names)
    described = f"trained on {model['trained_on']}" if model else f"rules alone: {reason}"
    retagging = Retagging.objects.create(model=described[:200])
    ids = list(reports.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = Report.objects.filter(pk__in=ids[start : start + batch]).order_by("pk")
        _retag(list(chunk), retagging, names)
    retagging.reports = len(ids)
    retagging.save()
    return retagging


def _retag(reports: list[Report], retagging: Retagging, names) -> None:
    kinds = {ContentType.objects.get_for_model(f.model).pk: f for f in SUGGESTED}
    tagged = _tags_of_many([r.pk for r in reports])
    existing = {
        (s.report_id, s.term_type_id, s.term_id): s
        for s in TagSuggestion.objects.filter(report__in=reports)
    }
    # What editors tagged is not suggested; what the taggers tagged is asked again.
    facets = {type_id: facet.name for type_id, facet in kinds.items()}
    by_taggers = {
        (report_id, (facets[type_id], term_id))
        for (report_id, type_id, term_id), s in existing.items()
        if s.decision == AUTOMATIC
    }
    fresh = new_suggestions_of_many(
        [
            (report, {t for t in tagged.get(report.pk, ()) if (report.pk, t) not in by_taggers})
            for report in reports
        ],
        names,
    )
    made, changed, added, removed = [], [], [], []
    backed = set()
    for suggestion in fresh:
        key = (suggestion.report_id, suggestion.term_type_id, suggestion.term_id)
        pair = (suggestion.report_id, suggestion.term_id)
        field = kinds[suggestion.term_type_id].report_field
        before = existing.get(key)
        backed.add(key)
        if before is None:
            suggestion.retagging = retagging
            made.append(suggestion)
            if suggestion.decision == AUTOMATIC:
                added.append((field, pair))
        elif before.decision not in EDITORS and (
            before.decision != suggestion.decision or before.probability != suggestion.probability
        ):
            _remember(before, retagging)
            if before.decision == PENDING and suggestion.decision == AUTOMATIC:
                added.append((field, pair))
            elif before.decision == AUTOMATIC and suggestion.decision == PENDING:
                removed.append((field, pair))
            before.decision, before.probability = suggestion.decision, suggestion.probability
            changed.append(before)
    for key, before in existing.items():  # automatic tags the taggers no longer back
        if key not in backed and before.decision == AUTOMATIC:
            _remember(before, retagging)
            before.decision = PENDING
            removed.append((kinds[before.term_type_id].report_field, (key[0], key[2])))
            changed.append(before)
    with transaction.atomic():
        TagSuggestion.objects.bulk_create(made)
        TagSuggestion.objects.bulk_update(
            changed,
            ["decision", "probability", "retagging", "decision_before", "probability_before"],
        )
        _apply(added, removed)
        Retagging.objects.filter(pk=retagging.pk).update(
            made=retagging.made + len(made),
            applied=retagging.applied + len(added),
            withdrawn=retagging.withdrawn + len(removed),
        )
    retagging.refresh_from_db()


def _remember(suggestion: TagSuggestion, retagging: Retagging) -> None:
    suggestion.retagging = retagging
    suggestion.decision_before = suggestion.decision
    suggestion.probability_before = suggestion.probability


def undo(retagging: Retagging) -> dict[str, int]:
    """Put back what a retagging made or changed, as it was; decisions editors took
    since are kept. Only the latest run not yet undone can be undone (a later one may
    have changed the same suggestions again)."""
    latest = Retagging.objects.filter(undone__isnull=True).order_by("-pk").first()
    if latest is None or latest.pk != retagging.pk:
        raise ValueError(
            f"Only the latest retagging not yet undone can be undone"
            f"{f' (number {latest.pk})' if latest else ''}."
        )
    kinds = {ContentType.objects.get_for_model(f.model).pk: f for f in SUGGESTED}
    tagged = (AUTOMATIC, TagSuggestion.Decision.ACCEPTED)
    added, removed, deleted, restored = [], [], [], []
    for suggestion in retagging.suggestions.exclude(decision__in=EDITORS).iterator():
        field = kinds[suggestion.term_type_id].report_field
        pair = (suggestion.report_id, suggestion.term_id)
        now_tagged = suggestion.decision in tagged
        if not suggestion.decision_before:
            deleted.append(suggestion.pk)
            was_tagged = False
        else:
            was_tagged = suggestion.decision_before in tagged
            suggestion.decision = suggestion.decision_before
            suggestion.probability = suggestion.probability_before
            restored.append(suggestion)
        if now_tagged and not was_tagged:
            removed.append((field, pair))
        elif was_tagged and not now_tagged:
            added.append((field, pair))
    with transaction.atomic():
        TagSuggestion.objects.filter(pk__in=deleted).delete()
        for suggestion in restored:
            suggestion.retagging = None
            suggestion.decision_before, suggestion.probability_before = "", None
        TagSuggestion.objects.bulk_update(
            restored,
            ["decision", "probability", "retagging", "decision_before", "probability_before"],
        )
        retagging.suggestions.update(retagging=None)  # editors decided these since: theirs
        _apply(added, removed)
        retagging.undone = timezone.now()
        retagging.save(update_fields=["undone"])
    return {"deleted": len(deleted), "restored": len(restored), "untagged": len(removed)}


def _apply(added, removed) -> None:
    """Add and remove (report field, (report, term)) tags, a field at a time."""
    fields = {field for field, _ in [*added, *removed]}
    for field in sorted(fields):
        retag(
            field,
            added=[pair for f, pair in added if f == field],
            removed=[pair for f, pair in removed if f == field],
        )


def _tags_of_many(report_ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    """Each report's tags of the suggested kinds, (facet, term pk), in a query a kind."""
    tags: dict[int, set[tuple[str, int]]] = {}
    for facet in SUGGESTED:
        through, column = tag_table(facet.report_field)
        rows = through.objects.filter(report_id__in=report_ids).values_list("report_id", column)
        for report_id, term_id in rows:
            tags.setdefault(report_id, set()).add((facet.name, term_id))
    return tags
