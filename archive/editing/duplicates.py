"""Reports that may be the same story twice: the same source address, or the same
headline and date, checked by how alike their texts are.

Used by the importer (``importers.store``: a record is compared with the archive and
with the records before it in the file) and the admin (a report being added).
A source address alone proves nothing (a scrape may file a day's stories under
one index address), nor does a headline ("Visits", "Press Review" recur): how alike
the texts are decides (``SAME_STORY``). On the KCNA corpus, the 20 pairs sharing an
address are 0% alike (two stories under one address) or 48% to 90% (one story
issued again, edited or translated anew); the 22 pairs sharing a headline and a
day are 1% to 38% alike (different messages under one stock headline).
"""

import re
from dataclasses import dataclass

from django.db.models import Q

from ..models import Report

# How alike (the share of word triples in common, of the shorter text's) a text must be
# to be the same story as an earlier one, by what they share.
SAME_STORY = {"same source address": 0.4, "same headline and date": 0.9}
WORDS_READ = 5_000  # words of a text compared, at most: the cost is bounded
WORD_RE = re.compile(r"[^\W_]+")


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's runs of three words (less case and punctuation), from its first
    ``WORDS_READ`` words."""
    words = WORD_RE.findall(text.lower())[:WORDS_READ]
    return {tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}


def alike(first: str, second: str) -> float:
    """How much of the shorter text the longer one holds (0 to 1), by word triples."""
    a, b = shingles(first), shingles(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass
class Match:
    """An earlier report (or record) that a new one may repeat, and why."""

    label: str  # the report's slug, or "line N" of the file
    why: str  # "same source address", "same headline and date"
    likeness: float

    @property
    def same_story(self) -> bool:
        return self.likeness >= SAME_STORY[self.why]

    def __str__(self) -> str:
        return f"{self.label} ({self.why}, texts {self.likeness:.0%} alike)"


class Seen:
    """Reports by source address and by headline and date, to compare new ones with:
    the archive's (read once, without their texts), then each one added."""

    def __init__(self, reports=None):
        self.by_url: dict[str, list] = {}
        self.by_title: dict[tuple, list] = {}
        rows = (reports if reports is not None else Report.objects.all()).values_list(
            "pk", "slug", "original_url", "headline", "pub_year", "pub_month", "pub_day"
        )
        for pk, slug, url, headline, *date in rows:
            self._note(url, headline, tuple(date), (slug, pk, None))  # text read if needed

    def add(self, label: str, url: str, headline: str, date: tuple, body: str) -> None:
        self._note(url, headline, date, (label, None, body))

    def _note(self, url, headline, date, entry) -> None:
        if url:
            self.by_url.setdefault(url, []).append(entry)
        if headline and all(date):  # a day's headline; "Visits" in 2011 proves little
            self.by_title.setdefault((headline.casefold(), date), []).append(entry)

    def matches(self, url: str, headline: str, date: tuple, body: str) -> list[Match]:
        """Earlier reports with the same address, or the same headline and date, each
        with how alike its text is; the most alike first."""
        found: dict[str, Match] = {}
        candidates = [(e, "same source address") for e in self.by_url.get(url, [])] if url else []
        if headline and all(date):
            key = (headline.casefold(), date)
            candidates += [(e, "same headline and date") for e in self.by_title.get(key, [])]
        for (label, pk, text), why in candidates[:20]:  # bounded, whatever a file holds
            if label not in found:
                found[label] = Match(label, why, alike(body, _body(pk) if text is None else text))
        return sorted(found.values(), key=lambda m: (not m.same_story, -m.likeness))


def in_archive(url: str, headline: str, date: tuple, body: str, leave_out=None) -> list[Match]:
    """``Seen.matches`` for one text against the archive, reading only the reports that
    share its address or its headline and day (an import reads them all once)."""
    sharing = Q(original_url=url) if url else Q(pk__in=[])
    if headline and all(date):
        year, month, day = date
        sharing |= Q(headline__iexact=headline, pub_year=year, pub_month=month, pub_day=day)
    reports = Report.objects.filter(sharing)
    if leave_out is not None:
        reports = reports.exclude(pk=leave_out)
    return Seen(reports).matches(url, headline, date, body)


def of_report(report: Report) -> list[Match]:
    """Reports in the archive that a (new) report is likely the same story as."""
    date = (report.pub_year, report.pub_month, report.pub_day)
    found = in_archive(report.original_url, report.headline, date, report.body, report.pk)
    return [match for match in found if match.same_story]


def _body(pk: int) -> str:
    return Report.objects.filter(pk=pk).values_list("body", flat=True).first() or ""
