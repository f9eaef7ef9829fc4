"""The reports' admin: the form with its check against lost edits, corrections,
suggested tags and incidents inline, the list's actions (review, publish, unpublish,
withdraw)."""

import hashlib

import reversion
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..editing import tagging
from ..facets import TERMS
from ..models import Correction, Incident, Report, ReportVersion, TagSuggestion
from ..search import incidents, indexing
from .base import (
    FORM_FIELDS,
    PastedTextAdmin,
    PastedTextForm,
    merge_duplicates,
    rule_description,
    warn_of_duplicates,
)
from .incidents import ProposalInline, ReportIncidentInline, propose_incidents
from .pasting import paste_view


class TagSuggestionInline(admin.TabularInline):
    """Terms the text names: the editor accepts or rejects each."""

    model = TagSuggestion
    fields = ["term", "evidence", "context", "why", "decision"]
    readonly_fields = ["term", "evidence", "context", "why"]
    extra = 0
    max_num = 0  # suggestions come from the text, not from the form
    can_delete = False
    verbose_name = _("suggested tag")
    verbose_name_plural = _("suggested tags (found in the text; accept to tag)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("term_type").prefetch_related("term")

    @admin.display(description=_("term"))
    def term(self, suggestion):
        kind = suggestion.term_type.model_class()._meta.verbose_name
        return f"{capfirst(kind)}: {suggestion.term}"

    @admin.display(description=_("why"))
    def why(self, suggestion):
        return rule_description(suggestion)


class PendingSuggestionsFilter(admin.SimpleListFilter):
    title = _("suggested tags")
    parameter_name = "suggestions"

    def lookups(self, request, model_admin):
        return [("pending", _("Awaiting a decision"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            pending = TagSuggestion.objects.filter(decision=TagSuggestion.Decision.PENDING)
            return queryset.filter(pk__in=pending.values("report"))
        return queryset


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ["note", "created"]
    readonly_fields = ["created"]
    extra = 0
    verbose_name_plural = _("corrections shown to readers")


class ReportForm(PastedTextForm):
    """The report form, with a correction note and a check against lost edits."""

    correction = forms.CharField(
        label=_("Correction note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "When this change corrects a fact readers saw, say so here: the note is shown "
            "under the report, with today's date. Leave empty for an ordinary edit."
        ),
    )
    opened_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    opened_state = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    class Meta:
        model = Report
        fields = []  # the admin passes the fields of its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_at"].initial = self.instance.updated
            self.fields["opened_state"].initial = " ".join(
                f"{part}={digest}" for part, digest in edit_state(self.instance).items()
            )

    def clean(self):
        """Refuse to overwrite a change made by someone else since this form was opened:
        a save, or tags and decisions made on the review screen or by a merge (every
        change of tags stamps ``updated``, see ``ReportQuerySet.retagged``). The
        message names what changed.

        The row is locked until the save's transaction ends (the admin saves in
        one): on PostgreSQL two editors saving at once would otherwise both read
        the old time and both save. SQLite lets one writer in at a time anyway.
        """
        cleaned = super().clean()
        opened = cleaned.get("opened_at")
        if self.instance.pk and opened:
            rows = Report.objects.filter(pk=self.instance.pk)
            if transaction.get_connection(rows.db).in_atomic_block:
                rows = rows.select_for_update()
            current = rows.values_list("updated", flat=True)
            if current and current[0] > opened:
                raise forms.ValidationError(
                    _(
                        "Someone else saved this report after you opened it%(what)s. Nothing "
                        "was saved: copy your changes, reload the page and apply them again."
                    ),
                    code="stale",
                    params={"what": self._what_changed(cleaned.get("opened_state", ""))},
                )
        return cleaned

    def _what_changed(self, opened_state: str) -> str:
        before = dict(part.partition("=")[::2] for part in opened_state.split())
        now = edit_state(Report.objects.get(pk=self.instance.pk))
        changed = [
            str(EDIT_PARTS[part]).lower() for part, d in now.items() if before.get(part) != d
        ]
        if not before or not changed:
            return ""
        return " (" + _("changed: %(parts)s") % {"parts": ", ".join(map(str, changed))} + ")"


# What a report's form holds, in parts an editor would name: its own fields, each
# kind of tag, the decisions on suggested tags.
EDIT_PARTS = {
    "fields": _("its text, date, credits or status"),
    **{facet.report_field: facet.plural for facet in TERMS if facet.many},
    "suggestions": _("decisions on suggested tags"),
}
NOT_EDITED = {"updated", "created", "first_published", "pub_date"}


def edit_state(report: Report) -> dict[str, str]:
    """A short digest of each part of ``EDIT_PARTS`` as the database holds it now."""

    def digest(value) -> str:
        return hashlib.sha256(repr(value).encode()).hexdigest()[:12]

    fields = [f.attname for f in Report._meta.concrete_fields if f.name not in NOT_EDITED]
    state = {"fields": digest(list(Report.objects.filter(pk=report.pk).values_list(*fields)))}
    for facet in TERMS:
        if facet.many:
            tags = getattr(report, facet.report_field).order_by("pk").values_list("pk", flat=True)
            state[facet.report_field] = digest(list(tags))
    decisions = report.tag_suggestions.order_by("pk").values_list("pk", "decision")
    state["suggestions"] = digest(list(decisions))
    return state


# A report's versions hold its fields and tags, not its corrections or tag
# suggestions: reverting must never delete a correction readers were shown.
reversion.register(Report)


@admin.register(Report)
class ReportAdmin(PastedTextAdmin):
    # The list with the indexer's lag, and reversion's "Recover deleted reports".
    change_list_template = "admin/archive/report/change_list.html"
    form = ReportForm
    inlines = [CorrectionInline, TagSuggestionInline, ReportIncidentInline, ProposalInline]
    formfield_overrides = FORM_FIELDS
    list_display = ["title", "status", "publish_at", "date_shown", "region_list", "agency_list"]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "source",
        "headline_supplied",
        PendingSuggestionsFilter,
        *((facet.report_field, admin.RelatedOnlyFieldListFilter) for facet in TERMS if facet.many),
    ]
    list_select_related = ["source"]
    search_fields = ["headline", "dek", "body", "slug", "original_url"]
    date_hierarchy = "pub_date"
    autocomplete_fields = [facet.report_field for facet in TERMS]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created", "updated", "import_key"]

    class Media:
        css = {"all": ["archive/admin.css"]}

    actions = ["send_to_review", "publish", "unpublish", "withdraw"]
    actions += [merge_duplicates, propose_incidents]
    fieldsets = [
        (None, {"fields": ["headline", "headline_supplied", "slug", "dek"]}),
        (_("Text"), {"fields": ["body", "photo_caption"]}),
        (
            _("Date of the report"),
            {
                "fields": [("pub_year", "pub_month", "pub_day"), "pub_time", "date_note"],
                "description": _("Fill in only what the report states; leave the rest empty."),
            },
        ),
        (
            _("Source and credits"),
            {
                "fields": [
                    "source",
                    "original_url",
                    "korean_url",
                    ("reporter", "translator", "editor"),
                    "keywords",
                    "sections",
                ]
            },
        ),
        (_("Tags"), {"fields": [facet.report_field for facet in TERMS if facet.many]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "correction",
                    "editor_notes",
                    "opened_at",
                    "opened_state",
                ]
            },
        ),
        (
            _("Record"),
            {"fields": ["created", "updated", "import_key"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions", "agencies")

    # One save is one change for the versions readers cite: the report, its tags
    # and accepted suggestions (or a revert or recovery from the history) make one
    # version, recorded in the same transaction (see ReportVersion.objects.one_change).
    def changeform_view(self, *args, **kwargs):
        with ReportVersion.objects.one_change():
            return super().changeform_view(*args, **kwargs)

    def revision_view(self, *args, **kwargs):
        with ReportVersion.objects.one_change():
            return super().revision_view(*args, **kwargs)

    def recover_view(self, *args, **kwargs):
        with ReportVersion.objects.one_change():
            return super().recover_view(*args, **kwargs)

    def get_inlines(self, request, obj):
        """Corrections and suggestions concern a saved report: a new one has none."""
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # nothing to save: no version is recorded either
        super().save_model(request, obj, form, change)
        note = form.cleaned_data.get("correction", "").strip()
        if note:
            Correction.objects.create(report=obj, note=note)
            request.archive_correction = note

    def log_change(self, request, obj, message):
        """The history labels a correction as such (VersionAdmin labels it first)."""
        super().log_change(request, obj, message)
        note = getattr(request, "archive_correction", "")
        if note:
            reversion.set_comment(f"Correction: {note}")

    def save_formset(self, request, form, formset, change):
        """Decisions on suggestions tag or untag the report (after the form's own tags
        are saved): accepting tags it, rejecting an accepted or automatic one untags it."""
        if formset.model is not TagSuggestion:
            return super().save_formset(request, form, formset, change)
        before = {f.instance.pk: f.initial.get("decision") for f in formset.forms}
        super().save_formset(request, form, formset, change)
        for suggestion, changed in formset.changed_objects:
            if "decision" in changed:
                tagging.decided(suggestion, before[suggestion.pk])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # An automatic tag the editor took off the form is rejected, not made again.
        tagging.note_removed_tags(form.instance)
        if not change:
            warn_of_duplicates(self, request, form.instance)
        if Incident.objects.exists():  # "Incidents proposed for this report", below
            incidents.record_proposals(form.instance)
        added = tagging.suggest(form.instance)
        if added:
            self.message_user(
                request,
                ngettext(
                    "%(n)d tag suggested from the text: see “Suggested tags” below.",
                    "%(n)d tags suggested from the text: see “Suggested tags” below.",
                    added,
                )
                % {"n": added},
                messages.INFO,
            )

    def get_urls(self):
        paste = self.admin_site.admin_view(lambda request: paste_view(self, request))
        return [path("paste/", paste, name="archive_report_paste"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        """The list, with the search indexer's lag so editors know when search catches up."""
        lag = indexing.status()
        extra_context = {
            "indexer": lag,
            "indexer_behind": indexing.behind(lag),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("headline"), ordering="headline")
    def title(self, report):
        return report.title

    @admin.display(description=_("date"), ordering="pub_date")
    def date_shown(self, report):
        return str(report.date)

    @admin.display(description=_("regions"))
    def region_list(self, report):
        return ", ".join(r.name for r in report.regions.all())

    @admin.display(description=_("agencies"))
    def agency_list(self, report):
        return ", ".join(a.abbreviation or a.name for a in report.agencies.all())

    def view_on_site(self, report):
        """The public page once public; the staff preview before then."""
        if report.is_public:
            return report.get_absolute_url()
        return reverse("archive:report-preview", kwargs={"slug": report.slug})

    @admin.action(description=_("Send the selected reports to review"), permissions=["change"])
    def send_to_review(self, request, queryset):
        review = Report.Status.IN_REVIEW
        self._change(request, queryset, lambda r: r.set_status(review), _("sent to review"))

    @admin.action(description=_("Publish the selected reports"), permissions=["change"])
    def publish(self, request, queryset):
        without_headline = queryset.filter(headline="")
        if without_headline.exists():
            self.message_user(
                request,
                _("Not published, no headline yet: %s")
                % ", ".join(r.slug for r in without_headline),
                messages.WARNING,
            )
        now = timezone.now()
        publishable = queryset.exclude(headline="")
        self._change(request, publishable, lambda r: r.publish(now), _("published"))

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        draft = Report.Status.DRAFT
        self._change(request, queryset, lambda r: r.set_status(draft), _("set to draft"))

    @admin.action(description=_("Withdraw the selected reports"), permissions=["change"])
    def withdraw(self, request, queryset):
        withdrawn = Report.Status.WITHDRAWN
        self._change(request, queryset, lambda r: r.set_status(withdrawn), _("withdrawn"))

    def _change(self, request, queryset, change, what):
        """``change`` each report (a ``Report`` method saying whether it changed it) and
        save those changed, one by one, so that their history records it."""
        changed = 0
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"{str(what).capitalize()} from the list of reports.")
            for report in queryset:
                if change(report):
                    report.save()
                    changed += 1
        self._done(request, changed, what)

    def _done(self, request, count, what):
        message = ngettext("%(count)d report %(what)s.", "%(count)d reports %(what)s.", count)
        self.message_user(request, message % {"count": count, "what": what}, messages.SUCCESS)
