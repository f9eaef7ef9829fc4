"""Merging duplicate terms: one survives, the others become its aliases."""

from django.db import transaction

from .models import Agency, Alias, Region, TagSuggestion


def merge_problem(keep, merged) -> str | None:
    """Why these terms cannot be merged, or None: a term cannot be merged into a part of itself."""
    if not isinstance(keep, Region | Agency):
        return None
    merged_pks = {term.pk for term in merged}
    node, seen = keep.parent, set()
    while node is not None and node.pk not in seen:
        if node.pk in merged_pks:
            return f"{keep.name} lies inside {node.name}: keep {node.name}, or move it first."
        seen.add(node.pk)
        node = node.parent
    return None


@transaction.atomic
def merge_terms(keep, merged) -> int:
    """Fold ``merged`` terms into ``keep``; returns how many reports were re-tagged.

    Each merged term's name, abbreviation and aliases become aliases of
    ``keep``, its addresses redirect there (``former_slugs``), its reports and
    suggestions are moved, the places or bodies inside it move under
    ``keep``, and the term is deleted. Re-tagging queues the reports for the
    search index through the usual signals.
    """
    alias_model = keep.aliases.model
    term_field = alias_model.term_field
    taken = {keep.name.casefold()} | {a.name.casefold() for a in keep.aliases.all()}
    moved = set()

    def add_alias(name: str, **fields) -> None:
        if name and name.casefold() not in taken:
            taken.add(name.casefold())
            alias_model.objects.create(**{term_field: keep}, name=name, **fields)

    problem = merge_problem(keep, merged)
    if problem:
        raise ValueError(problem)
    for term in merged:
        add_alias(term.name, kind=Alias.Kind.OTHER, note=f"Merged from “{term.slug}”")
        addresses = [*keep.former_slug_list, term.slug, *term.former_slug_list]
        keep.former_slugs = ", ".join(dict.fromkeys(addresses))
        if getattr(term, "abbreviation", ""):
            add_alias(term.abbreviation, kind=Alias.Kind.ABBREVIATION)
        for alias in term.aliases.all():
            fields = {f: getattr(alias, f) for f in ("kind", "used_from", "used_until", "note")}
            add_alias(alias.name, ambiguous=alias.ambiguous, **fields)
        reports = list(term.report_set.values_list("pk", flat=True))
        keep.report_set.add(*reports)
        moved.update(reports)
        if isinstance(term, Region | Agency):
            term.children.exclude(pk=keep.pk).update(parent=keep)
            _move_suggestions(term, keep, term_field)
        term.delete()
    keep.save(update_fields=["former_slugs"])
    return len(moved)


def _move_suggestions(term, keep, term_field: str) -> None:
    suggestions = TagSuggestion.objects.filter(**{term_field: term})
    # A report with suggestions of both keeps the one already on ``keep``.
    duplicate = TagSuggestion.objects.filter(**{term_field: keep}).values("report")
    suggestions.filter(report__in=duplicate).delete()
    suggestions.update(**{term_field: keep})
