"""The review screen of suggested tags: filters by kind, rule and term, and accepting
or rejecting in bulk (also everywhere the same words were found)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..editing import review, tagging
from ..facets import FACETS
from ..models import Retagging, TagSuggestion
from .base import rule_description


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


class SuggestedKindFilter(admin.SimpleListFilter):
    """Regions, agencies, people or topics, with how many suggestions each."""

    title = _("kind of term")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        counts = dict(
            model_admin.filtered_elsewhere(request, self.parameter_name)
            .values_list("term_type")
            .annotate(n=models.Count("pk"))
        )
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
        counts = dict(
            model_admin.filtered_elsewhere(request, self.parameter_name)
            .values_list("rule")
            .annotate(n=models.Count("pk"))
        )
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
        rows = (
            model_admin.filtered_elsewhere(request, self.parameter_name)
            .values_list("term_type", "term_id")
            .annotate(n=models.Count("pk"))
            .order_by("-n")[: self.shown]
        )
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


class ReviewList(ChangeList):
    """The page's suggestions, with what the screen knows beyond each row: its group's
    size and editors' measured precision of its rule and term (a query each, a page)."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        self.groups = review.group_sizes(rows)
        self.precision = review.editors_precision({(s.term_type_id, s.term_id) for s in rows})
        for row in rows:
            row.review = self


@admin.register(TagSuggestion)
class TagSuggestionAdmin(admin.ModelAdmin):
    """The review screen: suggestions across reports, decided a selection at a time.

    The queue opens on what a decision teaches most (a probability nearest an even
    chance, ``review.UNCERTAINTY``). Filter by decision, kind of term, rule and term
    (each with its count); every row shows the sentence the term was found in, how
    many waiting suggestions share its term and words (its group), and how often
    editors kept what its rule and its term suggested. Accepting tags the reports,
    rejecting an accepted or automatic suggestion untags them, and "everywhere"
    decides every waiting suggestion of the same group.
    """

    list_display = [
        "term_name",
        "kind",
        "found_in",
        "report_link",
        "likely",
        "group",
        "why",
        "decision",
    ]
    list_filter = [DecisionFilter, SuggestedKindFilter, SuggestedRuleFilter, SuggestedTermFilter]
    search_fields = ["evidence", "context", "report__headline"]
    list_select_related = ["report", "term_type"]
    list_per_page = 100
    actions = ["accept", "reject", "accept_everywhere", "reject_everywhere"]

    class Media:
        css = {"all": ["archive/admin.css"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("term")
        return queryset.annotate(uncertainty=review.UNCERTAINTY)

    def get_ordering(self, request):
        return [F("uncertainty").asc(), "pk"]  # what a decision teaches most first

    def get_changelist(self, request, **kwargs):
        return ReviewList

    def filtered_elsewhere(self, request, leave_out: str):
        """The suggestions as the other filters of the page narrow them (for counts)."""
        queryset = TagSuggestion.objects.all()
        decision = chosen_decision(request)
        if decision:
            queryset = queryset.filter(decision=decision)
        for filter_class in (SuggestedKindFilter, SuggestedRuleFilter, SuggestedTermFilter):
            name = filter_class.parameter_name
            if name != leave_out and request.GET.get(name):
                narrowed = filter_class(request, {name: [request.GET[name]]}, TagSuggestion, self)
                queryset = narrowed.queryset(request, queryset)
        return queryset

    def has_add_permission(self, request):
        return False  # suggestions come from the text

    def has_delete_permission(self, request, obj=None):
        return False  # a decision is kept, so that the suggestion is not made again

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TagSuggestion._meta.fields if f.name != "decision"]

    @admin.display(description=_("term"))
    def term_name(self, suggestion):
        kept = _page(suggestion, "precision")
        kept = kept and kept.by_term.get((suggestion.term_type_id, suggestion.term_id))
        if not kept:
            return str(suggestion.term)
        return format_html("{}<br><small>{}</small>", suggestion.term, kept)

    @admin.display(description=_("likely"), ordering="probability")
    def likely(self, suggestion):
        """How likely the taggers think an editor is to tag it."""
        return "—" if suggestion.probability is None else f"{suggestion.probability:.0%}"

    @admin.display(description=_("waiting alike"))
    def group(self, suggestion):
        """Waiting suggestions of the same term found by the same words."""
        groups = _page(suggestion, "groups") or {}
        return (
            f"{groups.get((suggestion.term_type_id, suggestion.term_id, suggestion.evidence), 0):,}"
        )

    @admin.display(description=_("kind"))
    def kind(self, suggestion):
        return capfirst(suggestion.term_type.model_class()._meta.verbose_name)

    @admin.display(description=_("found in"))
    def found_in(self, suggestion):
        text, words = suggestion.context or suggestion.evidence, suggestion.evidence
        at = text.find(words)
        if at < 0:
            return text
        return format_html("{}<mark>{}</mark>{}", text[:at], words, text[at + len(words) :])

    @admin.display(description=_("report"), ordering="report__headline")
    def report_link(self, suggestion):
        url = reverse("admin:archive_report_change", args=[suggestion.report_id])
        return format_html('<a href="{}">{}</a>', url, suggestion.report.title)

    @admin.display(description=_("why"), ordering="rule")
    def why(self, suggestion):
        kept = _page(suggestion, "precision")
        kept = kept and kept.by_rule.get(suggestion.rule)
        if not kept:
            return rule_description(suggestion)
        return format_html("{}<br><small>{}</small>", rule_description(suggestion), kept)

    @admin.action(
        description=_("Accept the selected suggestions (tag the reports)"), permissions=["change"]
    )
    def accept(self, request, queryset):
        done = tagging.decide_many(queryset, TagSuggestion.Decision.ACCEPTED)
        self.message_user(request, _("%(n)s suggestion(s) accepted.") % {"n": f"{done:,}"})

    @admin.action(description=_("Reject the selected suggestions"), permissions=["change"])
    def reject(self, request, queryset):
        done = tagging.decide_many(queryset, TagSuggestion.Decision.REJECTED)
        self.message_user(request, _("%(n)s suggestion(s) rejected.") % {"n": f"{done:,}"})

    @admin.action(
        description=_(
            "Accept everywhere: every waiting suggestion of these terms, found by the same words"
        ),
        permissions=["change"],
    )
    def accept_everywhere(self, request, queryset):
        done = tagging.decide_many(_groups_of(queryset), TagSuggestion.Decision.ACCEPTED)
        self.message_user(
            request, _("%(n)s suggestion(s) accepted across the archive.") % {"n": f"{done:,}"}
        )

    @admin.action(
        description=_(
            "Reject everywhere: every waiting suggestion of these terms, found by the same words"
        ),
        permissions=["change"],
    )
    def reject_everywhere(self, request, queryset):
        done = tagging.decide_many(_groups_of(queryset), TagSuggestion.Decision.REJECTED)
        self.message_user(
            request, _("%(n)s suggestion(s) rejected across the archive.") % {"n": f"{done:,}"}
        )


def _groups_of(queryset):
    """Every waiting suggestion in the groups of these (the same term, the same words)."""
    same = models.Q(pk__in=[])
    for type_id, term_id, evidence in queryset.values_list(
        "term_type", "term_id", "evidence"
    ).distinct():
        same |= models.Q(term_type=type_id, term_id=term_id, evidence=evidence)
    return TagSuggestion.objects.filter(same, decision=TagSuggestion.Decision.PENDING)


def _page(suggestion, what: str):
    """What the review page worked out for its rows (``ReviewList``), if it did."""
    page = getattr(suggestion, "review", None)
    return getattr(page, what, None)


@admin.register(Retagging)
class RetaggingAdmin(admin.ModelAdmin):
    """The runs of ``manage.py retag``, read only: undo one with ``retag --undo``."""

    list_display = ["__str__", "reports", "made", "applied", "withdrawn", "undone", "model"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
