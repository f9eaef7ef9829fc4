"""A report's versions for readers: each as it was, and the change log with differences.

Only versions readers saw, of reports public now: a report that is not
public answers as its page does (404, or 410 once withdrawn), and a
version still waiting for its scheduled time is not found.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..common.paths import absolute
from ..models import Report
from ..responses import not_public
from .throttling import AnonymousRate, too_many
from .versions import cached_differences, change_log, differences, remember_differences, text_of

MAX_NUMBER = 1_000_000  # numbers past this are not looked up (nor sent to the database)
# Comparisons not made before, per address (``ARCHIVE_DIFF_RATE``); those made are cached.
COMPARISONS = AnonymousRate("ARCHIVE_DIFF_RATE", "diff")


def _public_report(slug):
    return Report.objects.published().select_related("source").filter(slug=slug).first()


def report_version(request, slug, number):
    """One version of a report as readers saw it, with a notice linking to the current one.

    Context: ``report`` (the report now), ``text`` (VersionText of the
    version), ``version``, ``current`` (the version readers see now),
    ``permalink`` (this version's address), ``accessed``.
    """
    report = _public_report(slug)
    if report is None:
        return not_public(request, slug)
    version = None
    if 0 < number <= MAX_NUMBER:
        version = report.versions.seen().filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    context = {
        "report": report,
        "version": version,
        "text": text_of(version),
        "current": report.version,
        "permalink": absolute(request.path),
        "accessed": timezone.now(),
    }
    return render(request, "archive/report_version.html", context)


def report_changes(request, slug):
    """The change log of a report, and the differences between two versions.

    ``?from=1&to=3`` compares two versions (plain GET, no script); without
    them the last change is shown. Context: ``report``, ``log`` (LogEntry
    list, newest first), ``numbers``, ``old`` and ``new`` (the versions
    compared, or None), ``changes`` (Difference list), ``messages_``.
    """
    report = _public_report(slug)
    if report is None:
        return not_public(request, slug)
    versions = list(report.versions.seen().order_by("number"))
    by_number = {v.number: v for v in versions}
    messages = []

    def chosen(name: str, default: int | None) -> int | None:
        raw = request.GET.get(name, "")
        if not raw:
            return default
        if raw.isascii() and raw.isdigit() and len(raw) <= 7 and int(raw) in by_number:
            return int(raw)
        messages.append(
            _("There is no version “%(raw)s”; showing version %(n)s instead.")
            % {"raw": raw[:20], "n": default}
            if default
            else _("There is no version “%(raw)s”.") % {"raw": raw[:20]}
        )
        return default

    last = versions[-1].number if versions else None
    new = chosen("to", last)
    old = chosen("from", new - 1 if new and new - 1 in by_number else None)
    compared = old is not None and new is not None and old != new
    if old is not None and old == new:
        messages.append(_("Choose two different versions to compare."))
    context = {
        "report": report,
        "log": change_log(report, versions),
        "numbers": list(by_number),
        "old": by_number[old] if compared else None,
        "new": by_number[new] if compared else None,
        "selected": (old, new),
        "changes": [],
        "messages_": messages,
    }
    if compared:
        older, newer = by_number[old], by_number[new]
        changes = cached_differences(older, newer)
        if changes is None:
            # Only work not done before counts against the client's rate.
            if not COMPARISONS.allow_request(request):
                return too_many(COMPARISONS.wait())
            changes = differences(text_of(older), text_of(newer))
            remember_differences(older, newer, changes)
        context["changes"] = changes
    return render(request, "archive/report_changes.html", context)
