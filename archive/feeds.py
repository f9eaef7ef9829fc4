"""RSS and Atom: the latest reports, and any search (same parameters as the page)."""

from dataclasses import replace

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.text import Truncator

from .facets import ON_CARDS, TERMS
from .forms import parse_search, url_with
from .models import Report
from .presentation import cards
from .search import search
from .text import xml_safe

FEED_LENGTH = 30


class XmlSafe:
    """A feed generator that leaves out of every text what XML 1.0 cannot carry.

    Validation refuses control characters, but a row saved before it did, or
    changed by a bulk update, may hold one: it must not take the feed down.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*_safe(args), **_safe(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*_safe(args), **_safe(kwargs))


def _safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {key: _safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_safe(item) for item in value)
    return value


class SafeRss(XmlSafe, Rss201rev2Feed):
    pass


class SafeAtom(XmlSafe, Atom1Feed):
    pass


class LatestReportsFeed(Feed):
    feed_type = SafeRss
    title = "NK Security Reports Archive: latest reports"
    description = "Reports on North Korea's security agencies, newest in the archive first."

    def link(self):
        return reverse("archive:home")

    def items(self):
        return (
            Report.objects.published()
            .select_related("source")
            .prefetch_related(*ON_CARDS)
            .order_by("-publish_at")[:FEED_LENGTH]
        )

    def item_title(self, report):
        return report.title

    def item_description(self, report):
        # Feed readers show descriptions as HTML: plain text is escaped first.
        return escape(report.dek or Truncator(report.body).words(60))

    def item_pubdate(self, report):
        return report.publish_at

    def item_author_name(self, report):
        return report.source.name if report.source else None

    def item_categories(self, report):
        return [t.name for f in TERMS if f.report_field in ON_CARDS for t in f.terms_of(report)]


class LatestReportsAtom(LatestReportsFeed):
    feed_type = SafeAtom
    subtitle = LatestReportsFeed.description


class SearchFeed(LatestReportsFeed):
    """The first results of a search, for readers who follow a query."""

    def get_object(self, request):
        return parse_search(request.GET)

    def title(self, parsed):
        text = parsed.query.text or "all reports"
        return f"NK Security Reports Archive: search for {text}"

    def link(self, parsed):
        return reverse("archive:search") + url_with(parsed.params)

    def description(self, parsed):
        return "Reports matching a search in the NK Security Reports Archive."

    def items(self, parsed):
        query = replace(parsed.query, page=1, per_page=FEED_LENGTH)
        return cards(search(query, suggest=False).reports)


class SearchAtom(SearchFeed):
    feed_type = SafeAtom
