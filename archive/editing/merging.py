"""Merging duplicate terms: one survives, the others become its aliases."""

from django.contrib.contenttypes.models import ContentType

from ..models import Alias, ReportVersion, TagSuggestion, TreeNode


def merge_problem(keep, merged) -> str | None:
    """Why these terms cannot be merged, or None: a term cannot be merged into a part of itself."""
    if not isinstance(keep, TreeNode):
        return None
    merged_pks = {term.pk for term in merged}
    for node in reversed(keep.ancestors()):  # nearest first
        if node.pk in merged_pks:
            return f"{keep.name} lies inside {node.name}: keep {node.name}, or move it first."
    return None


def merge_terms(keep, merged) -> int:
    """Fold ``merged`` terms into ``keep``; returns how many reports were re-tagged.

    Each merged term's name, abbreviation and aliases become aliases of
    ``keep``, its addresses redirect there (``former_slugs``), its reports and
    suggestions are moved, the places or bodies inside it move under
    ``keep``, and the term is deleted. Re-tagging queues the reports for the
    search index through the usual signals. It is one transaction and one
    change: a report moved gets one new version, not one per step.
    """
    with ReportVersion.objects.one_change():
        return _merge(keep, merged)


def _merge(keep, merged) -> int:
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
        keep.reference = keep.reference or term.reference  # its names stay as public
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
        if isinstance(term, TreeNode):
            term.children.exclude(pk=keep.pk).update(parent=keep)
        _move_suggestions(term, keep)
        term.delete()
    keep.save(update_fields=["former_slugs", "reference"])
    return len(moved)


def _move_suggestions(term, keep) -> None:
    kind = ContentType.objects.get_for_model(keep)
    suggestions = TagSuggestion.objects.filter(term_type=kind, term_id=term.pk)
    # A report with suggestions of both keeps the one already on ``keep``.
    duplicate = TagSuggestion.objects.filter(term_type=kind, term_id=keep.pk).values("report")
    suggestions.filter(report__in=duplicate).delete()
    suggestions.update(term_id=keep.pk)
