"""What the review screen knows beyond each suggestion: how often editors kept what a
rule or a term suggested (their own measured precision), how many waiting
suggestions one decision could cover (a group: the same term found by the same
words), and the order in which decisions teach the taggers most."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import Abs, Coalesce

from ..models import Report, TagSuggestion

ACCEPTED, REJECTED = TagSuggestion.Decision.ACCEPTED, TagSuggestion.Decision.REJECTED


@dataclass(frozen=True)
class Kept:
    """Of the suggestions editors decided, how many they kept (accepted)."""

    kept: int
    decided: int

    @property
    def precision(self) -> float:
        return self.kept / self.decided if self.decided else 0.0

    def __str__(self) -> str:
        return f"editors kept {self.precision:.0%} of {self.decided:,}"


@dataclass(frozen=True)
class Precision:
    by_rule: dict[str, Kept]
    by_term: dict[tuple[int, int], Kept]  # (term type, term id)


def editors_precision(terms=None) -> Precision:
    """Editors' decisions, counted by rule and by term (``terms``: only these
    (type, id) pairs, as on one page of the review screen). An automatic tag an
    editor took off counts as rejected."""
    decided = TagSuggestion.objects.filter(decision__in=[ACCEPTED, REJECTED])
    by_rule = _kept(decided.values_list("rule", "decision").annotate(n=Count("pk")))
    if terms is not None:
        type_ids = {type_id for type_id, _ in terms}
        term_ids = {term_id for _, term_id in terms}
        decided = decided.filter(term_type__in=type_ids, term_id__in=term_ids)
    rows = decided.values_list("term_type", "term_id", "decision").annotate(n=Count("pk"))
    by_term = _kept(((t, i), d, n) for t, i, d, n in rows)
    return Precision(by_rule, by_term)


def _kept(rows) -> dict:
    counts: dict = {}
    for key, decision, n in rows:
        kept, decided = counts.get(key, (0, 0))
        counts[key] = (kept + (n if decision == ACCEPTED else 0), decided + n)
    return {key: Kept(*pair) for key, pair in counts.items()}


def group_sizes(suggestions) -> dict[tuple[int, int, str], int]:
    """For these suggestions, how many are waiting in their group (the same term found
    by the same words): what one "everywhere" decision would cover."""
    keys = {(s.term_type_id, s.term_id, s.evidence) for s in suggestions}
    if not keys:
        return {}
    rows = (
        TagSuggestion.objects.filter(
            decision=TagSuggestion.Decision.PENDING,
            term_type__in={k[0] for k in keys},
            term_id__in={k[1] for k in keys},
            evidence__in={k[2] for k in keys},
        )
        .values_list("term_type", "term_id", "evidence")
        .annotate(n=Count("pk"))
    )
    return {(t, i, e): n for t, i, e, n in rows if (t, i, e) in keys}


# The order of the queue: waiting suggestions whose probability is nearest an even
# chance first (a decision there teaches the taggers most); the rules' suggestions,
# which carry none, after them.
UNCERTAINTY = Abs(Coalesce(F("probability"), Value(2.0), output_field=FloatField()) - Value(0.5))


def automatic_by_rule(term) -> list[tuple[str, int]]:
    """(rule, published reports) for the tags of this term applied without an editor,
    most first: what a term page says of how it was tagged. What the learned taggers
    applied (it carries their probability) counts as the rule "learned"."""
    rows = (
        TagSuggestion.objects.filter(
            term_type=ContentType.objects.get_for_model(term),
            term_id=term.pk,
            decision=TagSuggestion.Decision.AUTOMATIC,
            report__in=Report.objects.published(),
        )
        .annotate(learned=ExpressionWrapper(Q(probability__isnull=False), BooleanField()))
        .values_list("rule", "learned")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {}
    for rule, learned, n in rows:
        key = "learned" if learned else rule
        counts[key] = counts.get(key, 0) + n
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
