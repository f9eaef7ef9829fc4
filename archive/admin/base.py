"""What every admin page of the archive shares: text fields that take pasted text
(control characters dropped, the editor told), the reason a suggestion was made, and
the warning that a report added may be one the archive has already."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from ..common.text import xml_safe
from ..editing import duplicates, merging, tagging
from ..models import Report, TagSuggestion


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


def warn_of_duplicates(model_admin, request, report) -> None:
    """Tell the editor who added a report that the archive may have its story already."""
    found = duplicates.of_report(report)
    if not found:
        return
    links = format_html_join(
        "; ",
        '<a href="{}">{}</a> ({})',
        (
            (reverse("admin:archive_report_change", args=[pk]), slug, f"{m.why}, {m.likeness:.0%}")
            for m in found
            for pk, slug in Report.objects.filter(slug=m.label).values_list("pk", "slug")
        ),
    )
    model_admin.message_user(
        request,
        format_html(
            "This may be the same story as a report already in the archive: {}. If so, "
            "merge them: select both in the list of reports, “Merge the selected reports”.",
            links,
        ),
        messages.WARNING,
    )


@admin.action(
    description=_("Merge the selected reports (the same story): keep the first published"),
    permissions=["change"],
)
def merge_duplicates(model_admin, request, queryset):
    """One story imported twice: the first published (else the oldest) is kept and gains
    the others' tags; the others lead to it (``editing.merging.merge_reports``)."""
    chosen = list(queryset.order_by(F("first_published").asc(nulls_last=True), "pk"))
    if len(chosen) < 2:
        model_admin.message_user(request, _("Choose two reports or more to merge."), messages.ERROR)
        return
    keep, *others = chosen
    done = merging.merge_reports(keep, others)
    model_admin.message_user(
        request,
        _("%(n)s report(s) merged into “%(kept)s”; their addresses now lead to it.")
        % {"n": done, "kept": keep.title},
    )


def rule_description(suggestion: TagSuggestion) -> str:
    rule = tagging.RULES.get(suggestion.rule)
    return capfirst(str(rule.description)) if rule else "—"
