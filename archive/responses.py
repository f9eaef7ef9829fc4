"""Answers that pages of every wing give alike."""

from django.http import Http404
from django.shortcuts import redirect, render

from .models import Report


def not_public(request, slug):
    """The answer for a report readers cannot see (at its page, its versions' and its
    citations' addresses): the report it was merged into, when that is public (a
    permanent redirect); 410 Gone once it was public and has been withdrawn; else 404."""
    kept = Report.objects.merged_into(slug)
    if kept is not None:
        return redirect(kept.get_absolute_url(), permanent=True)
    if Report.objects.gone(slug):
        # Gone, not missing: tell readers and search engines, and show nothing of it.
        return render(request, "archive/report_withdrawn.html", status=410)
    raise Http404("No such report.")
