"""What readers see of a report's versions: a version's text, the change log, differences.

Versions are recorded by ``ReportVersion.objects`` (``archive.models.versions``)
and hold only public fields; this module turns them into what pages show.
Citations (pages, exports) name ``report.version``: its ``number`` and
``short_fingerprint``, or use ``citation_version()``.
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import caches
from django.utils.dateparse import parse_time
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..common.dates import PartialDate
from ..common.text import paragraphs
from ..facets import TERMS
from ..models import Correction, Report, ReportVersion
from ..models.reports import PublicText
from . import diffs

# A correction belongs to the version its edit made: saved moments after the note.
SAME_CHANGE = datetime.timedelta(seconds=60)


@dataclass
class VersionText(PublicText):
    """A version's public fields under the names the report page uses."""

    version: ReportVersion
    headline: str
    headline_supplied: bool
    dek: str
    body: str
    photo_caption: str
    date: PartialDate
    pub_time: datetime.time | None
    date_note: str
    source: dict | None
    original_url: str
    korean_url: str
    reporter: str
    translator: str
    editor: str
    keywords: str
    tags: list[tuple[str, list[str]]] = field(default_factory=list)  # (label, names)

    @property
    def title(self) -> str:
        return self.headline or str(_("Untitled report"))

    @property
    def date_shown(self) -> str:
        shown = str(self.date)
        if self.pub_time:
            shown += f", {self.pub_time:%H:%M}"
        return f"{shown} ({self.date_note})" if self.date_note else shown


def text_of(version: ReportVersion) -> VersionText:
    data = version.content
    labels = {f.report_field: str(f.plural) for f in TERMS if f.many}
    tags = [
        (labels.get(name, name.capitalize()), [term["name"] for term in value])
        for name, value in data.items()
        if isinstance(value, list) and value
    ]
    return VersionText(
        version=version,
        headline=data.get("headline", ""),
        headline_supplied=bool(data.get("headline_supplied")),
        dek=data.get("dek", ""),
        body=data.get("body", ""),
        photo_caption=data.get("photo_caption", ""),
        date=PartialDate(data.get("pub_year"), data.get("pub_month"), data.get("pub_day")),
        pub_time=parse_time(data["pub_time"]) if data.get("pub_time") else None,
        date_note=data.get("date_note", ""),
        source=data.get("source"),
        original_url=data.get("original_url", ""),
        korean_url=data.get("korean_url", ""),
        reporter=data.get("reporter", ""),
        translator=data.get("translator", ""),
        editor=data.get("editor", ""),
        keywords=data.get("keywords", ""),
        tags=tags,
    )


def citation_version(report: Report) -> tuple[int, str] | None:
    """(number, short fingerprint) of the version readers see now, for citations."""
    version = report.version
    return (version.number, version.short_fingerprint) if version else None


@dataclass
class LogEntry:
    version: ReportVersion
    corrections: list[Correction]


def change_log(report: Report, versions: list[ReportVersion]) -> list[LogEntry]:
    """The versions readers saw, newest first, each with the corrections made with it.

    A correction note is saved moments before the version its edit makes
    (within ``SAME_CHANGE``); a note added without an edit belongs to the
    version readers had then; one older than every version, to the first.
    """
    entries = [LogEntry(v, []) for v in sorted(versions, key=lambda v: v.number)]
    if not entries:
        return []
    for correction in report.corrections.all():
        made = [e for e in entries if e.version.public_from <= correction.created + SAME_CHANGE]
        (made[-1] if made else entries[0]).corrections.append(correction)
    return entries[::-1]


@dataclass
class Difference:
    label: str
    html: str = ""  # one line (safe HTML), for short fields
    paragraphs: list[tuple[str, SafeString]] = field(default_factory=list)  # the text


def differences(old: VersionText, new: VersionText) -> list[Difference]:
    """The fields that differ between two versions, marked word by word, the work of all
    of them within one ``diffs.Budget``."""
    found = []
    budget = diffs.Budget()
    lines = [
        (_("Headline"), _headline(old), _headline(new)),
        (_("Dek"), old.dek, new.dek),
        (_("Date"), old.date_shown, new.date_shown),
        (_("Source"), _name(old.source), _name(new.source)),
        (_("Original address"), old.original_url, new.original_url),
        (_("Korean edition"), old.korean_url, new.korean_url),
        (_("Reporter"), old.reporter, new.reporter),
        (_("Translated by"), old.translator, new.translator),
        (_("Edited by"), old.editor, new.editor),
        (_("Photo caption"), old.photo_caption, new.photo_caption),
        (_("The report's own keywords"), old.keywords, new.keywords),
    ]
    for label, before, after in lines:
        if before != after:
            found.append(Difference(str(label), html=diffs.words(before, after, budget)))
    old_tags, new_tags = dict(old.tags), dict(new.tags)
    for label in dict.fromkeys([*old_tags, *new_tags]):
        before, after = old_tags.get(label, []), new_tags.get(label, [])
        if before != after:
            found.append(Difference(label, html=_names(before, after)))
    if old.body != new.body:
        body = diffs.paragraphs(paragraphs(old.body), paragraphs(new.body), budget)
        found.append(Difference(str(_("Text")), paragraphs=body))
    return found


# A version never changes once readers have seen it, so a comparison of two is kept
# under their numbers in the database (the primary keys) for as long as the cache
# keeps it; ``DIFF_FORMAT`` changes with what a comparison holds.
DIFFERENCES_KEPT = 60 * 60 * 24 * 30
DIFF_FORMAT = 1


def _differences_key(old: ReportVersion, new: ReportVersion) -> str:
    return f"archive:diff:{DIFF_FORMAT}:{get_language()}:{old.pk}:{new.pk}"


def cached_differences(old: ReportVersion, new: ReportVersion) -> list[Difference] | None:
    """The differences between two versions as worked out before, or None."""
    return caches["comparisons"].get(_differences_key(old, new))


def remember_differences(old: ReportVersion, new: ReportVersion, found: list[Difference]):
    caches["comparisons"].set(_differences_key(old, new), found, DIFFERENCES_KEPT)


def _headline(text: VersionText) -> str:
    supplied = " " + str(_("(headline by the archive)")) if text.headline_supplied else ""
    return text.headline + supplied


def _name(term: dict | None) -> str:
    return term["name"] if term else ""


def _names(before: list[str], after: list[str]) -> SafeString:
    parts = [
        format_html("<del>{}</del>", name) if name not in after else escape(name) for name in before
    ]
    parts += [format_html("<ins>{}</ins>", name) for name in after if name not in before]
    return mark_safe(", ".join(parts))
