import hashlib

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.constants import LOOKUP_SEP
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin

from .common.text import xml_safe
from .editing import tagging
from .editing.merging import merge_problem, merge_terms
from .facets import FACETS, TERMS
from .models import (
    Agency,
    Correction,
    Person,
    Position,
    Region,
    Report,
    ReportVersion,
    Source,
    Subscription,
    TagSuggestion,
    Topic,
)
from .search import indexing


class TextareaField(forms.CharField):
    """Line breaks as the database keeps them: a browser sends each as "\r\n", which
    would make every saved report look changed ("Changed Body.")."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


FORM_FIELDS = {
    # Addresses typed without a scheme are taken as https (Django 6's default).
    models.URLField: {"assume_scheme": "https"},
    models.TextField: {"form_class": TextareaField},
}


class PastedTextForm(forms.ModelForm):
    """Removes what pasted text brings along and no feed can carry, noting where.

    A soft line break copied from a word processor is a vertical tab: it
    becomes a space, and other invisible control characters go. The model's
    validation refuses them (``archive.models.validation``); editors should
    not have to hunt for characters they cannot see.
    """

    def clean(self):
        cleaned = super().clean()
        self.controls_removed = []
        model_fields = {field.name: field for field in self._meta.model._meta.fields}
        for name, value in cleaned.items():
            if isinstance(value, str) and xml_safe(value) != value:
                cleaned[name] = xml_safe(value)
                field = model_fields.get(name)
                label = field.verbose_name if field else self.fields[name].label
                self.controls_removed.append(str(label))
        return cleaned


class PastedTextAdmin(VersionAdmin):
    """Tells the editor which fields lost invisible characters on saving."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        removed = getattr(form, "controls_removed", [])
        if removed:
            self.message_user(
                request,
                _(
                    "Removed invisible control characters (such as a pasted soft line "
                    "break) from: %(fields)s."
                )
                % {"fields": ", ".join(removed)},
                messages.WARNING,
            )


class TermAdmin(PastedTextAdmin):
    """Every term's changes are kept: "History" lists them and reverts any."""

    form = PastedTextForm
    formfield_overrides = FORM_FIELDS
    list_display = ["name", "slug"]
    list_filter = ["reference"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    class Media:
        css = {"all": ["archive/admin.css"]}


class AliasInline(admin.TabularInline):
    fields = ["name", "kind", "used_from", "used_until", "ambiguous", "note"]
    extra = 1
    classes = ["aliases"]


class AliasedTermAdmin(TermAdmin):
    """Terms with other names: the names inline, and merging of duplicates."""

    search_fields = [*TermAdmin.search_fields, "aliases__name"]
    actions = ["merge"]

    def __init__(self, model, admin_site):
        # The term's aliases are edited inline, and kept in its history (reversion
        # reads ``inlines`` when the admin is created).
        alias_model = model._meta.get_field("aliases").related_model
        inline = type(f"{alias_model.__name__}Inline", (AliasInline,), {"model": alias_model})
        self.inlines = [inline, *self.inlines]
        super().__init__(model, admin_site)

    @admin.action(description=_("Merge the selected into one"), permissions=["change", "delete"])
    def merge(self, request, queryset):
        """Ask which term to keep, then move everything to it (see archive.editing.merging)."""
        terms = list(queryset.order_by("name"))
        if len(terms) < 2:
            self.message_user(request, _("Select two or more to merge."), messages.WARNING)
            return None
        keep_pk = request.POST.get("keep")
        keep = next((t for t in terms if str(t.pk) == keep_pk), None)
        if keep is None:
            context = {
                **self.admin_site.each_context(request),
                "title": _("Merge %(things)s") % {"things": self.opts.verbose_name_plural},
                "opts": self.opts,
                "terms": [(term, term.report_set.count()) for term in terms],
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/archive/merge_terms.html", context)
        merged = [t for t in terms if t.pk != keep.pk]
        problem = merge_problem(keep, merged)
        if problem:
            self.message_user(request, _("Not merged: %s") % problem, messages.ERROR)
            return None
        moved = merge_terms(keep, merged)
        self.message_user(
            request,
            _(
                "Merged %(names)s into %(keep)s (their names are now aliases); "
                "%(n)d report(s) moved."
            )
            % {"names": ", ".join(t.name for t in merged), "keep": keep.name, "n": moved},
            messages.SUCCESS,
        )
        return None


@admin.register(Region)
class RegionAdmin(AliasedTermAdmin):
    list_display = ["name", "kind", "parent", "slug"]
    list_filter = ["kind", "reference"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    fields = [
        "name",
        "slug",
        "kind",
        "parent",
        "reference",
        "description",
        "latitude",
        "longitude",
        "source_ref",
        "former_slugs",
    ]


@admin.register(Agency)
class AgencyAdmin(AliasedTermAdmin):
    list_display = ["name", "abbreviation", "parent", "slug"]
    list_select_related = ["parent"]
    search_fields = [*AliasedTermAdmin.search_fields, "abbreviation"]
    autocomplete_fields = ["parent"]


@admin.register(Topic)
class TopicAdmin(AliasedTermAdmin):
    pass


class PositionInline(admin.TabularInline):
    model = Position
    fields = ["title", "agency", "held_from", "held_until", "note"]
    autocomplete_fields = ["agency"]
    extra = 1


@admin.register(Person)
class PersonAdmin(AliasedTermAdmin):
    inlines = [PositionInline]
    list_display = ["name", "born", "slug"]
    fields = ["name", "slug", "born", "description", "source_ref", "former_slugs", "reference"]


@admin.register(Source)
class SourceAdmin(TermAdmin):
    list_display = ["name", "homepage", "slug"]


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


def rule_description(suggestion: TagSuggestion) -> str:
    rule = tagging.RULES.get(suggestion.rule)
    return capfirst(str(rule.description)) if rule else "—"


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
    inlines = [CorrectionInline, TagSuggestionInline]
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
        self._set_status(request, queryset, Report.Status.IN_REVIEW, _("sent to review"))

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

        def go_public_now(report):
            # A schedule in the future is kept; otherwise the report goes public now.
            if report.publish_at <= now:
                report.publish_at = now

        self._set_status(
            request,
            queryset.exclude(headline=""),
            Report.Status.PUBLISHED,
            _("published"),
            skip=lambda r: r.status == Report.Status.PUBLISHED and r.publish_at <= now,
            adjust=go_public_now,
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Report.Status.DRAFT, _("set to draft"))

    @admin.action(description=_("Withdraw the selected reports"), permissions=["change"])
    def withdraw(self, request, queryset):
        self._set_status(request, queryset, Report.Status.WITHDRAWN, _("withdrawn"))

    def _set_status(self, request, queryset, status, what, skip=None, adjust=None):
        """Change each report's status with a save, so that its history records it."""
        changed = 0
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"{str(what).capitalize()} from the list of reports.")
            for report in queryset:
                if report.status == status or (skip and skip(report)):
                    continue
                report.status = status
                if adjust:
                    adjust(report)
                report.save()
                changed += 1
        self._done(request, changed, what)

    def _done(self, request, count, what):
        message = ngettext("%(count)d report %(what)s.", "%(count)d reports %(what)s.", count)
        self.message_user(request, message % {"count": count, "what": what}, messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Readers' search alerts, addresses masked: they are read here, never edited or added.

    Deleting one stops its mails (a reader who asks by other means).
    """

    list_display = ["masked_address", "query", "created", "confirmed", "last_sent"]
    list_filter = [("confirmed", admin.EmptyFieldListFilter)]
    fields = ["masked_address", "query", "created", "confirm_sent", "confirmed", "last_sent"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("e-mail address"))
    def masked_address(self, subscription):
        return subscription.masked_address

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters: ``?address__startswith=a`` would spell out a
        masked address letter by letter (refused: 400)."""
        return lookup.split(LOOKUP_SEP)[0] in FILTERABLE_SUBSCRIPTION_FIELDS


FILTERABLE_SUBSCRIPTION_FIELDS = {"confirmed", "created", "last_sent", "query"}


# Any other vocabulary in ``archive.facets`` gets the generic term admin.
for _facet in TERMS:
    if not admin.site.is_registered(_facet.model):
        _admin = AliasedTermAdmin if _facet.alias_model is not None else TermAdmin
        admin.site.register(_facet.model, _admin)


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


@admin.register(TagSuggestion)
class TagSuggestionAdmin(admin.ModelAdmin):
    """The review screen: suggestions across reports, decided a selection at a time.

    Filter by decision, kind of term, rule and term (each with its count);
    every row shows the sentence the term was found in. Accepting tags the
    reports, rejecting an accepted or automatic suggestion untags them, and
    "accept everywhere" accepts every waiting suggestion of the same term
    found by the same words.
    """

    list_display = ["term_name", "kind", "found_in", "report_link", "why", "decision"]
    list_filter = ["decision", SuggestedKindFilter, SuggestedRuleFilter, SuggestedTermFilter]
    search_fields = ["evidence", "context", "report__headline"]
    list_select_related = ["report", "term_type"]
    list_per_page = 100
    actions = ["accept", "reject", "accept_everywhere"]

    class Media:
        css = {"all": ["archive/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("term")

    def filtered_elsewhere(self, request, leave_out: str):
        """The suggestions as the other filters of the page narrow them (for counts)."""
        queryset = TagSuggestion.objects.all()
        decision = request.GET.get("decision__exact")
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
        return str(suggestion.term)

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
        return rule_description(suggestion)

    @admin.action(description=_("Accept the selected suggestions (tag the reports)"),
                  permissions=["change"])  # fmt: skip
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
        same = models.Q(pk__in=[])
        for type_id, term_id, evidence in queryset.values_list(
            "term_type", "term_id", "evidence"
        ).distinct():
            same |= models.Q(term_type=type_id, term_id=term_id, evidence=evidence)
        waiting = TagSuggestion.objects.filter(same, decision=TagSuggestion.Decision.PENDING)
        done = tagging.decide_many(waiting, TagSuggestion.Decision.ACCEPTED)
        self.message_user(
            request, _("%(n)s suggestion(s) accepted across the archive.") % {"n": f"{done:,}"}
        )
