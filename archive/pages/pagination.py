"""Pages of results: numbered links that fit a phone, and the links that sort them or
change how many a page holds.
"""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils.translation import gettext as _

from ..search.links import url_with
from ..search.running import PER_PAGE, PER_PAGE_CHOICES, ArchiveResults


class _ResultWindow:
    """All results as Django's Paginator sees them: their count, and the page in hand."""

    def __init__(self, results: ArchiveResults):
        self.results = results

    def __len__(self) -> int:
        return self.results.total

    def __getitem__(self, window: slice) -> list:
        return self.results.reports


def paginator(results: ArchiveResults) -> Paginator:
    return Paginator(_ResultWindow(results), results.query.per_page)


PHONE_WINDOW = 1  # pages each side of the current one that phones show


def page_links(results: ArchiveResults, params: QueryDict) -> dict:
    """Previous, next and numbered links, with an ellipsis (None) for pages left out.

    Each entry of ``pages`` is (number, url, current, far): ``far`` numbers are
    more than PHONE_WINDOW from the current page and not the first or last,
    and narrow screens leave them out so the pager fits on one or two lines.
    """
    pages = paginator(results)
    page = pages.get_page(results.query.page)

    def url(number):
        return url_with(params, drop=(), page=str(number) if number > 1 else None)

    numbers = pages.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "pages": _with_phone_gaps(
            [
                (n, url(n), n == page.number, _far(n, page.number, pages.num_pages))
                if n != pages.ELLIPSIS
                else (None, None, False, False)
                for n in numbers
            ]
        ),
        "current": page.number,
        "last": pages.num_pages,
    }


def _far(number: int, current: int, last: int) -> bool:
    return abs(number - current) > PHONE_WINDOW and number not in (1, last)


def _with_phone_gaps(entries: list[tuple]) -> list[tuple]:
    """An ellipsis only phones show, (None, None, False, True), where they leave out a
    run of far numbers that no ellipsis already stands beside."""
    found: list[tuple] = []
    for index, entry in enumerate(entries):
        number, far = entry[0], entry[3]
        starts_run = number is not None and far and not (found and found[-1][3])
        if starts_run:
            end = index
            while end < len(entries) and entries[end][0] is not None and entries[end][3]:
                end += 1
            before = found[-1][0] if found else 0
            after = entries[end][0] if end < len(entries) else 0
            if before is not None and after is not None:
                found.append((None, None, False, True))
        found.append(entry)
    return found


def sort_links(params: QueryDict, current: str, has_text: bool) -> list[tuple[str, str, bool]]:
    sorts = [("relevance", _("Relevance"))] if has_text else []
    sorts += [("newest", _("Newest")), ("oldest", _("Oldest"))]
    return [(label, url_with(params, sort=value), value == current) for value, label in sorts]


def per_page_links(params: QueryDict, current: int) -> list[tuple[str, str, bool]]:
    """Links to show 20, 50 or 100 reports a page, from the first page."""
    return [
        (str(n), url_with(params, per_page=None if n == PER_PAGE else str(n)), n == current)
        for n in PER_PAGE_CHOICES
    ]
