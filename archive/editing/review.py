"""What the review screen knows beyond each suggestion: how often editors kept what a
rule or a term suggested (their own measured precision), how many waiting
suggestions one decision could cover (a group: the same term found by the same
words), and the order in which decisions teach the taggers most."""

from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Value
from django.db.models.functions import Abs, Coalesce

from ..models import TagSuggestion

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
