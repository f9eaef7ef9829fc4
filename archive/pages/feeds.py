"""RSS and Atom: the latest reports (and corrections), and any search (same parameters
as the page)."""

import datetime
from dataclasses import replace

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.text import Truncator

from ..common.dates import DatePrecision
from ..common.paths import absolute
from ..common.text import xml_safe
from ..facets import ON_CARDS, TERMS, fetch_terms
from ..models import Correction, Report
from ..search.form import parse_search
from ..search.links import url_with
from ..search.running import search
from .cards import with_card_terms

FEED_LENGTH = 30


class XmlSafe:
    """A feed generator that leaves out of every text what XML 1.0 cannot carry, and
    escapes texts the one way its format reads them.

    Validation refuses control characters, but a row saved before it did, or
    changed by a bulk update, may hold one: it must not take the feed down.

    The feeds give plain text everywhere; the generator alone turns it into
    what each element holds (``AS_HTML``): descriptions are HTML in both
    formats (RSS by convention, Atom's ``summary type="html"``), and so are
    RSS titles to most readers, while Atom titles are text. A report headed
    "<b>" then reads "<b>" in every reader, never bold and never "&lt;b&gt;".
    """

    AS_HTML = ("description",)

    def __init__(self, title, link, description, *args, **kwargs):
        texts = self._as_read({"title": title, "description": description})
        super().__init__(
            texts["title"], _safe(link), texts["description"], *_safe(args), **_safe(kwargs)
        )

    def add_item(self, title, link, description, *args, **kwargs):
        texts = self._as_read({"title": title, "description": description})
        super().add_item(
            texts["title"], _safe(link), texts["description"], *_safe(args), **_safe(kwargs)
        )

    def _as_read(self, texts: dict) -> dict:
        texts = _safe(texts)
        return {
            name: escape(value) if name in self.AS_HTML and value else value
            for name, value in texts.items()
        }


def _safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {key: _safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_safe(item) for item in value)
    return value


class SafeRss(XmlSafe, Rss201rev2Feed):
    AS_HTML = ("title", "description")


class SafeAtom(XmlSafe, Atom1Feed):
    pass


class LatestReportsFeed(Feed):
    """The latest reports, and corrections to published reports as entries of their own."""

    feed_type = SafeRss
    title = "NK Security Reports Archive: latest reports"
    description = "Reports on North Korea's security agencies, newest in the archive first."

    url_name = "archive:latest-rss"

    def link(self):
        return absolute(reverse("archive:home"))

    def feed_url(self):
        return absolute(reverse(self.url_name))

    def items(self):
        reports = fetch_terms(
            list(
                Report.objects.published()
                .select_related("source")
                .order_by("-publish_at")[:FEED_LENGTH]
            ),
            ON_CARDS,
        )
        corrections = list(
            Correction.objects.filter(
                report__in=Report.objects.published(), created__lte=timezone.now()
            )
            .select_related("report__source")
            .order_by("-created")[:FEED_LENGTH]
        )
        entries = [*reports, *corrections]
        # Newest in the archive first (each is dated by its own date: see item_pubdate).
        return sorted(entries, key=_appeared, reverse=True)[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, Correction):
            return f"Correction: {item.report.title}"
        return item.title

    def item_description(self, item):
        # Plain text: the generator escapes it for the format (``XmlSafe``).
        if isinstance(item, Correction):
            return item.note
        return item.dek or Truncator(item.body).words(60)

    def item_link(self, item):
        if isinstance(item, Correction):
            changes = reverse("archive:report-changes", kwargs={"slug": item.report.slug})
            return absolute(f"{changes}#correction-{item.pk}")
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        """A report is dated by its own publication date, not by when the archive got it.

        A report whose day is known is dated that day (at its stated time, else
        midnight UTC). A report whose date is unknown or partial (a year, a
        month) is dated when the archive published it: a feed needs a full date,
        and the archive does not invent a day the report never gave. A
        correction is dated when it was made.
        """
        if isinstance(item, Correction):
            return item.created
        return report_datetime(item)

    def item_updateddate(self, item):
        # Atom's <updated>: when readers could first see this entry in the archive.
        return item.created if isinstance(item, Correction) else _went_public(item)

    def item_author_name(self, item):
        report = item.report if isinstance(item, Correction) else item
        return report.source.name if report.source else None

    def item_categories(self, item):
        if isinstance(item, Correction):
            return ["Correction"]
        return [t.name for f in TERMS if f.report_field in ON_CARDS for t in f.terms_of(item)]


def report_datetime(report: Report) -> datetime.datetime:
    """The report's publication date as a full date and time; see ``item_pubdate``."""
    if report.date.precision != DatePrecision.DAY:
        return _went_public(report)
    day = datetime.date(report.pub_year, report.pub_month, report.pub_day)
    return timezone.make_aware(
        datetime.datetime.combine(day, report.pub_time or datetime.time()), datetime.UTC
    )


def _went_public(report: Report) -> datetime.datetime:
    return report.first_published or report.publish_at


def _appeared(item) -> datetime.datetime:
    return item.created if isinstance(item, Correction) else item.publish_at


class LatestReportsAtom(LatestReportsFeed):
    feed_type = SafeAtom
    url_name = "archive:latest-atom"
    subtitle = LatestReportsFeed.description


class SearchFeed(LatestReportsFeed):
    """The first results of a search, for readers who follow a query."""

    url_name = "archive:search-rss"

    def get_object(self, request):
        return parse_search(request.GET)

    def feed_url(self, parsed):
        # The feed's own address (atom:link rel="self") with the search it follows.
        return absolute(reverse(self.url_name) + url_with(parsed.params).rstrip("?"))

    def title(self, parsed):
        text = parsed.query.text or "all reports"
        return f"NK Security Reports Archive: search for {text}"

    def link(self, parsed):
        return absolute(reverse("archive:search") + url_with(parsed.params).rstrip("?"))

    def description(self, parsed):
        return "Reports matching a search in the NK Security Reports Archive."

    def items(self, parsed):
        query = replace(parsed.query, page=1, per_page=FEED_LENGTH)
        return with_card_terms(search(query, suggest=False).reports)


class SearchAtom(SearchFeed):
    feed_type = SafeAtom
    url_name = "archive:search-atom"
