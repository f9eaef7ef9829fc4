"""The review screen of suggested tags: filters by kind, rule and term, and accepting
or rejecting in bulk (also everywhere the same words were found)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import F
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..editing import review, tagging
from ..models import Retagging, TagSuggestion
from .base import rule_description
from .review_filters import (
    DecisionFilter,
    SuggestedKindFilter,
    SuggestedRuleFilter,
    SuggestedTermFilter,
    chosen_decision,
)
from .wrong_names import reject_by_pattern


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
    actions = ["accept", "reject", "accept_everywhere", "reject_everywhere", "reject_by_pattern"]

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
        kind = capfirst(suggestion.term_type.model_class()._meta.verbose_name)
        if not kept:
            return format_html("{}<br><small>{}</small>", suggestion.term, kind)
        return format_html("{}<br><small>{} · {}</small>", suggestion.term, kind, kept)

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

    @admin.display(description=_("found in"))
    def found_in(self, suggestion):
        return marked(suggestion)

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
        if "confirm" not in request.POST:
            return confirm_everywhere(self, request, queryset, "accept_everywhere")
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
        if "confirm" not in request.POST:
            return confirm_everywhere(self, request, queryset, "reject_everywhere")
        done = tagging.decide_many(_groups_of(queryset), TagSuggestion.Decision.REJECTED)
        self.message_user(
            request, _("%(n)s suggestion(s) rejected across the archive.") % {"n": f"{done:,}"}
        )

    @admin.action(
        description=_("Reject by a pattern: the words these were found in do not name the term"),
        permissions=["change"],
    )
    def reject_by_pattern(self, request, queryset):
        return reject_by_pattern(self, request, queryset)


PENDING = TagSuggestion.Decision.PENDING
AROUND = 90  # characters of the sentence shown each side of the words found


def marked(suggestion) -> str:
    """The words found, marked, in as much of their sentence as a row has room for."""
    text, words = suggestion.context or suggestion.evidence, suggestion.evidence
    at = text.find(words)
    if at < 0:
        return text[: 2 * AROUND]
    start, end = max(0, at - AROUND), at + len(words) + AROUND
    if start:  # whole words only
        start = text.find(" ", start, at) + 1 or start
    if end < len(text):
        end = text.rfind(" ", at + len(words), end) if " " in text[at + len(words) : end] else end
    before = ("…" if start else "") + text[start:at]
    after = text[at + len(words) : end] + ("…" if end < len(text) else "")
    return format_html("{}<mark>{}</mark>{}", before, words, after)


SAMPLES = 5  # sentences shown of each group before deciding it everywhere


def confirm_everywhere(model_admin, request, queryset, action: str):
    """Before an "everywhere" decision: each group it covers, how many wait in it, and
    a few of the sentences its words were found in."""
    groups = []
    for type_id, term_id, evidence in queryset.values_list(
        "term_type", "term_id", "evidence"
    ).distinct()[:20]:
        waiting = TagSuggestion.objects.filter(
            term_type=type_id, term_id=term_id, evidence=evidence, decision=PENDING
        )
        samples = list(waiting.select_related("report").order_by("pk")[:SAMPLES])
        first = samples[0] if samples else queryset.filter(term_id=term_id).first()
        groups.append(
            {
                "term": first.term if first else "?",
                "words": evidence,
                "waiting": waiting.count(),
                "samples": [(marked(s), s.report.title) for s in samples],
            }
        )
    accepting = action == "accept_everywhere"
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Accept everywhere?") if accepting else _("Reject everywhere?"),
        "groups": groups,
        "action": action,
        "accepting": accepting,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "total": sum(g["waiting"] for g in groups),
    }
    return TemplateResponse(request, "admin/archive/tagsuggestion/everywhere.html", context)


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
