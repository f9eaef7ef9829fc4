"""The review screen's filters: decision (undecided by default), kind of term, rule and
term, each with its count as the other filters narrow the suggestions."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..editing import tagging
from ..facets import FACETS
from ..models import TagSuggestion


class DecisionFilter(admin.SimpleListFilter):
    """Undecided first: the screen opens on what waits; "All" is a choice of its own."""

    title = _("decision")
    parameter_name = "decision__exact"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*TagSuggestion.Decision.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or TagSuggestion.Decision.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(decision=self.value())


def chosen_decision(request) -> str | None:
    """The decision the review screen shows (None: all)."""
    value = request.GET.get(DecisionFilter.parameter_name) or TagSuggestion.Decision.PENDING
    return None if value == DecisionFilter.ALL else value


def counted(model_admin, request, leave_out: str, *fields: str):
    """(fields…, count) rows of the suggestions the other filters leave, by ``fields``."""
    rows = model_admin.filtered_elsewhere(request, leave_out).values_list(*fields)
    return rows.annotate(n=models.Count("pk"))


class SuggestedKindFilter(admin.SimpleListFilter):
    """Regions, agencies, people or topics, with how many suggestions each."""

    title = _("kind of term")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        counts = dict(counted(model_admin, request, self.parameter_name, "term_type"))
        found = []
        for facet in tagging.SUGGESTED:
            type_id = ContentType.objects.get_for_model(facet.model).pk
            found.append((facet.name, f"{facet.plural} ({counts.get(type_id, 0):,})"))
        return found

    def queryset(self, request, queryset):
        facet = FACETS.get(self.value() or "")
        if facet is None or facet not in tagging.SUGGESTED:
            return queryset
        return queryset.filter(term_type=ContentType.objects.get_for_model(facet.model))


class SuggestedRuleFilter(admin.SimpleListFilter):
    """Which rule made the suggestion (or applied the tag)."""

    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        counts = dict(counted(model_admin, request, self.parameter_name, "rule"))
        return [
            (name, f"{capfirst(str(rule.description))} ({counts.get(name, 0):,})")
            for name, rule in tagging.RULES.items()
        ]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


class SuggestedTermFilter(admin.SimpleListFilter):
    """The terms with the most suggestions, with their counts: decide a term at a time."""

    title = _("term (most suggested)")
    parameter_name = "term"
    shown = 40

    def lookups(self, request, model_admin):
        rows = counted(model_admin, request, self.parameter_name, "term_type", "term_id")
        rows = rows.order_by("-n")[: self.shown]
        models_by_type = {
            ContentType.objects.get_for_model(f.model).pk: f.model for f in tagging.SUGGESTED
        }
        names = {}
        for type_id, model in models_by_type.items():
            ids = [term_id for t, term_id, _n in rows if t == type_id]
            names[type_id] = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
        return [
            (f"{type_id}:{term_id}", f"{names[type_id].get(term_id, '?')} ({n:,})")
            for type_id, term_id, n in rows
            if type_id in names
        ]

    def queryset(self, request, queryset):
        value = self.value() or ""
        type_id, _colon, term_id = value.partition(":")
        if type_id.isdigit() and term_id.isdigit():
            return queryset.filter(term_type_id=int(type_id), term_id=int(term_id))
        return queryset
