"""Citations of reports in the forms readers' tools understand.

``Citation.of(report, …)`` gathers what a citation needs from a published
report, once; the modules here write it out:

- ``formats``: BibTeX, RIS and CSL-JSON, for reference managers;
- ``styles``: Chicago and APA, formatted for readers;
- ``embedded``: Highwire ``citation_*`` and Dublin Core ``<meta>`` tags and
  COinS, which browser connectors (Zotero, Mendeley) read from pages;
- ``views``: the downloads, for one report and for a whole search.

Two things are never glossed over. A headline the archive's editors wrote
(``Report.headline_supplied``) is put in square brackets in every machine
format, the cataloguer's mark for a supplied title, and named in words in
the formatted citations. A date is cited only as far as the report states
it: a report with no year is "n.d.", and a day with no year stays a day with
no year.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...common.dates import DatePrecision, PartialDate
from ...facets import TERMS
from ...models import Report, web_address
from ..versions import citation_version

ARCHIVE_NAME = gettext_lazy("NK Security Reports Archive")


@dataclass
class Citation:
    key: str
    title: str  # as the report has it
    supplied: bool  # the archive's editors wrote the headline
    date: PartialDate
    container: str  # the source, e.g. Daily NK; "" when unknown
    permalink: str  # the report's page in the archive
    accessed: datetime.date
    original_url: str = ""  # the source's own address, when known
    authors: list[str] = field(default_factory=list)  # names as the report gives them
    translators: list[str] = field(default_factory=list)
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "en"
    version: tuple[int, str] | None = None  # the archive copy's (number, short fingerprint)

    @classmethod
    def of(
        cls,
        report: Report,
        permalink: str,
        accessed: datetime.date,
        keywords: bool = True,
        version: bool = False,
    ) -> "Citation":
        """A published report's citation; ``permalink`` is its page's absolute address.

        ``keywords`` (the report's tags) may be left out where they are not
        fetched, e.g. for the COinS of a list of results. ``version`` names the
        version readers see now (one query: for a report's own page and file).

        Names are kept whole, as the report prints them: Korean names put the
        family name first and Western ones last, and the archive does not
        guess which a byline is.
        """
        return cls(
            key=report.slug,
            title=report.title,
            supplied=report.headline_supplied,
            date=report.date,
            container=report.source.name if report.source else "",
            permalink=permalink,
            accessed=accessed,
            original_url=web_address(report.original_url),
            authors=[report.reporter] if report.reporter else [],
            translators=[report.translator] if report.translator else [],
            abstract=report.dek,
            keywords=[term.name for facet in TERMS if facet.many for term in facet.terms_of(report)]
            if keywords
            else [],
            version=citation_version(report) if version else None,
        )

    @property
    def url(self) -> str:
        """The address to cite: the source's own, else the archive's copy."""
        return self.original_url or self.permalink

    @property
    def dated(self) -> bool:
        """The year is known, so there is a date to cite."""
        return bool(self.date.year)

    @property
    def machine_title(self) -> str:
        """The title for reference managers: a supplied one in square brackets."""
        return f"[{self.title}]" if self.supplied else self.title

    def notes(self) -> list[str]:
        """What a reference manager should keep beside the fields: supplied parts, archive."""
        found = []
        if self.supplied:
            found.append(_("Headline supplied by the archive: the original has none."))
        if not self.dated:
            found.append(undated_note(self.date))
        if self.original_url:
            found.append(
                _("Archived at %(archive)s: %(url)s")
                % {"archive": ARCHIVE_NAME, "url": self.permalink}
            )
        if self.version:
            found.append(self.version_text() + ".")
        return found

    def version_text(self) -> str:
        """“Version 3, fingerprint 1a2b3c4d”: the archive's copy as cited."""
        number, fingerprint = self.version
        return _("Version %(n)d, fingerprint %(f)s") % {"n": number, "f": fingerprint}


def month_name(month: int) -> str:
    return str(MONTHS[month])


def known_without_year(date: PartialDate) -> str:
    """“January 15, year unknown”: the parts an undated report does state; "" when none."""
    if date.precision == DatePrecision.DAY_NO_YEAR:
        return _("%(month)s %(day)d, year unknown") % {
            "month": month_name(date.month),
            "day": date.day,
        }
    if date.precision == DatePrecision.MONTH_NO_YEAR:
        return _("%(month)s, year unknown") % {"month": month_name(date.month)}
    return ""


def undated_note(date: PartialDate) -> str:
    known = known_without_year(date)
    return _("Date: %(known)s.") % {"known": known} if known else _("Date unknown.")


def iso_date(date: PartialDate, separator: str = "-") -> str:
    """2024-04-19, 2024-04 or 2024 (only known parts, year first); "" without a year."""
    if not date.year:
        return ""
    parts = [f"{date.year:04d}"]
    if date.month:
        parts.append(f"{date.month:02d}")
        if date.day:
            parts.append(f"{date.day:02d}")
    return separator.join(parts)
