"""Merging duplicates: of terms (one survives, the others become its aliases) and of
reports (one story imported twice: one is kept, the others lead to it)."""

from django.contrib.contenttypes.models import ContentType

from ..models import Alias, IncidentProposal, IncidentReport, ReportVersion, TagSuggestion, TreeNode


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


def merge_reports(keep, others) -> int:
    """Fold duplicate reports into ``keep``: it gains their tags; each of them is
    withdrawn and marked ``merged_into`` it, so that its page, versions, citations and
    API address lead to ``keep`` (``responses.not_public``). Their texts, versions,
    corrections and decisions stay with them, in the admin. One change: one version."""
    from ..facets import TERMS
    from ..models import Report
    from .tagging import retag, tag_table

    others = [report for report in others if report.pk != keep.pk]
    if not others:
        return 0
    with ReportVersion.objects.one_change():
        for facet in (f for f in TERMS if f.many):
            through, column = tag_table(facet.report_field)
            ids = through.objects.filter(report__in=others).values_list(column, flat=True)
            retag(facet.report_field, added=[(keep.pk, term_id) for term_id in set(ids)])
        slugs = ", ".join(report.slug for report in others)
        note = f"Merged with {slugs}: the same story."
        keep.editor_notes = f"{keep.editor_notes}\n{note}".strip()
        keep.save(update_fields=["editor_notes"])
        _move_incident_links(keep, others)
        Report.objects.filter(pk__in=[r.pk for r in others]).update(
            status=Report.Status.WITHDRAWN, merged_into=keep
        )
    return len(others)


def _move_incident_links(keep, others) -> None:
    """The duplicates' incidents (and proposals) become the kept report's: the story is
    still told, by the report kept (its incidents are recounted as the links move)."""
    linked = set(IncidentReport.objects.filter(report=keep).values_list("incident", flat=True))
    for link in IncidentReport.objects.filter(report__in=others).order_by("pk"):
        if link.incident_id in linked:
            link.delete()
        else:
            linked.add(link.incident_id)
            link.report = keep
            link.save()
    proposed = set(IncidentProposal.objects.filter(report=keep).values_list("incident", flat=True))
    moving = IncidentProposal.objects.filter(report__in=others).exclude(incident__in=proposed)
    moving = moving.exclude(incident__in=linked).order_by("incident", "pk")
    first = {}
    for proposal in moving:
        first.setdefault(proposal.incident_id, proposal.pk)
    IncidentProposal.objects.filter(pk__in=first.values()).update(report=keep)
    IncidentProposal.objects.filter(report__in=others).delete()
