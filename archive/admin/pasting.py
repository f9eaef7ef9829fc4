"""Adding a report by pasting it raw, as scraped: the text importer's cleaning and
fields (``importers.scraped``), shown before anything is saved, then made a draft
through the importer itself (tags, suggestions, duplicate checks)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..editing import duplicates
from ..editing.importers import scraped
from ..editing.importers.store import import_text
from ..models import Report

PASTED = "pasted text"


class PasteForm(forms.Form):
    text = forms.CharField(
        label=_("The report as copied from its page"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField"}),
        # Room for the page furniture around a body at the archive's limit.
        max_length=settings.ARCHIVE_MAX_BODY_LENGTH + 20_000,
        help_text=_(
            "Paste everything: headline, date line, credits and the page's furniture "
            "(“Read in Korean”, hashtags, “Most Popular Articles”). It is cleaned as the "
            "importer cleans a scraped file, and shown to you before anything is saved."
        ),
    )


def paste_view(model_admin, request):
    """GET: the box. POST "preview": what the text gives (fields, paragraphs, what was
    removed, reports it may repeat). POST "create": a draft, then its form."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = PasteForm(request.POST or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Add a report from pasted text"),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if "create" in request.POST:
            return _create(model_admin, request, text, context)
        records, problems = scraped.parse(text, PASTED)
        context.update(problems=problems, record=records[0] if records else None)
        if records:
            record = records[0]
            date = (record.date.year, record.date.month, record.date.day)
            context["paragraphs"] = record.body.split("\n\n")
            context["repeats"] = duplicates.in_archive(
                record.original_url, record.headline, date, record.body
            )
    return TemplateResponse(request, "admin/archive/report/paste.html", context)


def _create(model_admin, request, text: str, context: dict):
    result = import_text(text, PASTED)
    records, _problems = scraped.parse(text, PASTED)
    there = records and Report.objects.filter(import_key=records[0].import_key).first()
    if result.skipped and there:
        already = _("This text is in the archive already.")
        model_admin.message_user(request, already, messages.WARNING)
        return redirect(reverse("admin:archive_report_change", args=[there.pk]))
    if result.failed or not result.created or not there:
        context.update(problems=result.problems, notices=result.notices)
        return TemplateResponse(request, "admin/archive/report/paste.html", context)
    report = there
    for notice in result.notices:
        model_admin.message_user(request, notice.removeprefix(f"{PASTED}: "), messages.WARNING)
    model_admin.message_user(
        request,
        _("A draft was made from the pasted text: check its fields, then publish it."),
        messages.SUCCESS,
    )
    return redirect(reverse("admin:archive_report_change", args=[report.pk]))
