"""Rejecting a term's suggestions by the words they were found in ("Minjok Thongsin",
"… Street Restaurant"), which then stop such findings at the source (``WrongName``);
and the list of those rules, where one can be taken back."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ..editing import tagging
from ..models import TagSuggestion, WrongName
from ..names.types import stop_pattern

SAMPLES = 8
PENDING = TagSuggestion.Decision.PENDING


class PatternForm(forms.Form):
    pattern = forms.CharField(
        label=_("Words in which the name does not name the term"),
        max_length=WrongName._meta.get_field("pattern").max_length,
        help_text=WrongName._meta.get_field("pattern").help_text,
    )

    def clean_pattern(self):
        words = self.cleaned_data["pattern"].strip()
        if not any(ch.isalnum() for ch in words.replace("…", "")):
            raise forms.ValidationError(_("Give at least one word besides “…”."))
        return words


def misread(suggestions, words: str) -> list[TagSuggestion]:
    """The suggestions whose words stand inside these words in their sentence."""
    pattern, found = stop_pattern(words), []
    for suggestion in suggestions:
        text = suggestion.context or suggestion.evidence
        at = text.find(suggestion.evidence)
        if at >= 0 and any(m.start() <= at < m.end() for m in pattern.finditer(text)):
            found.append(suggestion)
    return found


def reject_by_pattern(model_admin, request, queryset):
    """Ask for the words, show what they match, then reject those and keep the rule."""
    terms = set(queryset.values_list("term_type", "term_id").distinct()[:2])
    if len(terms) != 1:
        model_admin.message_user(
            request, _("Choose suggestions of one term to reject by a pattern."), messages.ERROR
        )
        return None
    (type_id, term_id), first = terms.pop(), queryset.first()
    form = PatternForm(request.POST if "pattern" in request.POST else None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Reject by a pattern"),
        "term": first.term,
        "form": form,
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "example": first,
    }
    if form.is_bound and form.is_valid():
        words = form.cleaned_data["pattern"]
        waiting = TagSuggestion.objects.filter(
            term_type=type_id, term_id=term_id, decision=PENDING
        ).only("pk", "context", "evidence", "report")
        matching = misread(waiting.iterator(), words)
        if "confirm" in request.POST:
            WrongName.objects.get_or_create(term_type_id=type_id, term_id=term_id, pattern=words)
            chosen = TagSuggestion.objects.filter(pk__in=[s.pk for s in matching])
            done = tagging.decide_many(chosen, TagSuggestion.Decision.REJECTED)
            model_admin.message_user(
                request,
                _("%(n)s suggestion(s) rejected; “%(words)s” no longer suggests %(term)s.")
                % {"n": f"{done:,}", "words": words, "term": first.term},
            )
            return None
        context.update(matching=len(matching), samples=matching[:SAMPLES], words=words)
    return TemplateResponse(request, "admin/archive/tagsuggestion/by_pattern.html", context)


@admin.register(WrongName)
class WrongNameAdmin(admin.ModelAdmin):
    """The wrong readings editors made; deleting one lets its words suggest again."""

    list_display = ["pattern", "term", "created", "note"]
    search_fields = ["pattern", "note"]
    fields = ["pattern", "note"]

    def has_add_permission(self, request):
        return False  # made from the review screen, for a term
