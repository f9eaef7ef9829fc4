"""Answers that pages of every wing give alike."""

from django.http import Http404
from django.shortcuts import render

from .models import Report


def not_public(request, slug):
    """The answer for a report readers cannot see (at its page, its versions' and its
    citations' addresses): 410 Gone once it was public and has been withdrawn, else 404."""
    if Report.objects.gone(slug):
        # Gone, not missing: tell readers and search engines, and show nothing of it.
        return render(request, "archive/report_withdrawn.html", status=410)
    raise Http404("No such report.")
