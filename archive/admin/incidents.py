"""Incidents in the admin: written and published like reports, their reports linked
with a stance and an origin, merged and split with their history kept, and the
incidents the archive proposes for reports confirmed or rejected in bulk."""

import reversion
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Incident, IncidentProposal, IncidentReport, Report
from ..search import incidents as candidates
from .base import FORM_FIELDS, PastedTextAdmin

MAX_PROPOSING = 2000  # reports one action proposes for (about 20 ms each)


def link_inline(other: str, plural: str) -> type:
    """Links of an incident and a report, edited from one side: ``other`` is the field
    naming the other side."""
    return type(
        f"{other.capitalize()}LinkInline",
        (admin.TabularInline,),
        {
            "model": IncidentReport,
            "fields": [other, "stance", "origin_kind", "origin", "note"],
            "autocomplete_fields": [other],
            "extra": 0,
            "verbose_name_plural": plural,
        },
    )


LinkInline = link_inline("report", _("reports of this incident"))
ReportIncidentInline = link_inline("incident", _("incidents this report covers"))  # on a report


class ProposalInline(admin.TabularInline):
    """On a report's page: incidents proposed for it, waiting for a decision."""

    model = IncidentProposal
    fields = ["incident", "score", "reasons", "decision"]
    readonly_fields = ["incident", "score", "reasons"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("incidents proposed for this report")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        waiting = IncidentProposal.Decision.WAITING
        return super().get_queryset(request).filter(decision=waiting)


@admin.action(description=_("Propose incidents for the selected reports"))
def propose_incidents(model_admin, request, queryset):
    """Record the incidents proposed for each report (see “Proposed incidents”)."""
    chosen = list(queryset.order_by("pk")[: MAX_PROPOSING + 1])
    waiting = sum(candidates.record_proposals(report) for report in chosen[:MAX_PROPOSING])
    model_admin.message_user(
        request,
        _("%(n)d proposal(s) wait for a decision under “Proposed incidents”.") % {"n": waiting},
    )
    if len(chosen) > MAX_PROPOSING:
        model_admin.message_user(
            request,
            _("Only the first %(n)d reports were looked at: select fewer.") % {"n": MAX_PROPOSING},
            messages.WARNING,
        )


@admin.register(Incident)
class IncidentAdmin(PastedTextAdmin):
    inlines = [LinkInline]
    formfield_overrides = FORM_FIELDS
    list_display = ["title", "status", "start_date", "report_count"]
    list_filter = ["status", ("regions", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "summary", "slug"]
    autocomplete_fields = ["regions", "agencies", "people", "topics"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created", "updated"]
    actions = ["publish", "unpublish", "withdraw", "merge"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "language"]}),
        (
            _("When"),
            {
                "fields": [
                    ("start_year", "start_month", "start_day"),
                    ("end_year", "end_month", "end_day"),
                    "date_note",
                ],
                "description": _("Only what is known; leave the rest empty. Never guessed."),
            },
        ),
        (_("Where, who, what kind"), {"fields": ["regions", "agencies", "people", "topics"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "editor_notes"]}),
        (_("Record"), {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_total=Count("links"))

    @admin.display(description=_("reports"), ordering="report_total")
    def report_count(self, incident):
        return incident.report_total

    @admin.action(description=_("Publish the selected incidents"), permissions=["change"])
    def publish(self, request, queryset):
        self._set(request, queryset, Report.Status.PUBLISHED)

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set(request, queryset, Report.Status.DRAFT)

    @admin.action(description=_("Withdraw the selected incidents"), permissions=["change"])
    def withdraw(self, request, queryset):
        self._set(request, queryset, Report.Status.WITHDRAWN)

    def _set(self, request, queryset, status):
        changed = 0
        for incident in queryset.exclude(status=status):
            with reversion.create_revision():
                incident.status = status
                if status == Report.Status.PUBLISHED:
                    incident.publish_at = min(incident.publish_at, timezone.now())
                incident.save()
                reversion.set_user(request.user)
                reversion.set_comment(f"Status: {status}.")
            changed += 1
        self.message_user(request, _("%(n)d incident(s) changed.") % {"n": changed})

    @admin.action(description=_("Merge the selected incidents into one (a published one kept)"))
    def merge(self, request, queryset):
        # The published one kept first, so that no public address is lost to a draft.
        incidents = sorted(queryset, key=lambda i: (i.status != Report.Status.PUBLISHED, i.created))
        if len(incidents) < 2:
            self.message_user(request, _("Select two incidents or more."), messages.WARNING)
            return
        kept = merge_incidents(incidents[0], incidents[1:], request.user)
        self.message_user(
            request,
            _("Merged into “%(title)s”; the others' history stays under “Recover deleted”.")
            % {"title": kept.title},
        )


def merge_incidents(kept: Incident, others: list[Incident], user=None) -> Incident:
    """Move the others' links and tags to ``kept`` and delete them, in one revision
    (each deleted incident can be recovered from its history)."""
    with transaction.atomic(), reversion.create_revision():
        for other in others:
            for link in other.links.all():
                if not kept.links.filter(report=link.report_id).exists():
                    link.incident = kept
                    link.save()
            for field in ("regions", "agencies", "people", "topics"):
                getattr(kept, field).add(*getattr(other, field).all())
            proposals = other.proposals.exclude(report__in=kept.links.values("report"))
            proposals.exclude(report__in=kept.proposals.values("report")).update(incident=kept)
            other.delete()
        kept.save()
        reversion.set_user(user)
        reversion.set_comment(f"Merged {len(others)} incident(s) into this one.")
    return kept


def split_incident(links: list[IncidentReport], title: str, user=None) -> Incident:
    """Move these links (of one incident) to a new draft incident with the same tags."""
    source = links[0].incident
    with transaction.atomic(), reversion.create_revision():
        new = Incident.objects.create(title=title, slug=Incident.objects.free_slug(title))
        for field in ("regions", "agencies", "people", "topics"):
            getattr(new, field).set(getattr(source, field).all())
        IncidentReport.objects.filter(pk__in=[link.pk for link in links]).update(incident=new)
        Incident.objects.filter(pk__in=[source.pk, new.pk]).recount()  # an update sends no signal
        reversion.set_user(user)
        reversion.set_comment(f"Split from “{source.title}”.")
    return new


@admin.register(IncidentReport)
class IncidentReportAdmin(admin.ModelAdmin):
    list_display = ["report", "incident", "stance", "origin_kind", "origin"]
    list_filter = ["stance", "origin_kind"]
    search_fields = ["report__headline", "incident__title", "origin"]
    autocomplete_fields = ["report", "incident"]
    actions = ["split"]

    @admin.action(description=_("Split the selected reports into a new incident"))
    def split(self, request, queryset):
        links = list(queryset.select_related("incident", "report"))
        if len({link.incident_id for link in links}) != 1:
            self.message_user(request, _("Select reports of one incident."), messages.WARNING)
            return
        new = split_incident(links, f"{links[0].incident.title} (split)", request.user)
        self.message_user(request, _("Moved to the new draft “%(title)s”.") % {"title": new.title})


@admin.register(IncidentProposal)
class IncidentProposalAdmin(admin.ModelAdmin):
    list_display = ["report", "incident", "score", "reason_list", "decision"]
    list_filter = ["decision"]
    list_select_related = ["report", "incident"]
    search_fields = ["report__headline", "incident__title"]
    actions = ["confirm", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("reasons"))
    def reason_list(self, proposal):
        return "; ".join(proposal.reasons)

    @admin.action(description=_("Confirm: link the reports to the incidents"))
    def confirm(self, request, queryset):
        count = decide(queryset, IncidentProposal.Decision.CONFIRMED)
        self.message_user(request, ngettext("%d linked.", "%d linked.", count) % count)

    @admin.action(description=_("Reject: do not propose these again"))
    def reject(self, request, queryset):
        count = decide(queryset, IncidentProposal.Decision.REJECTED)
        self.message_user(request, ngettext("%d rejected.", "%d rejected.", count) % count)


def decide(proposals, decision) -> int:
    """Confirm (link) or reject waiting proposals; how many were decided."""
    waiting = proposals.filter(decision=IncidentProposal.Decision.WAITING)
    chosen = list(waiting)
    with transaction.atomic():
        if decision == IncidentProposal.Decision.CONFIRMED:
            for proposal in chosen:
                IncidentReport.objects.get_or_create(
                    incident_id=proposal.incident_id, report_id=proposal.report_id
                )
        IncidentProposal.objects.filter(pk__in=[p.pk for p in chosen]).update(
            decision=decision, decided_at=timezone.now()
        )
    return len(chosen)
