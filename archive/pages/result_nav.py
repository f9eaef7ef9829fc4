"""A report reached from a search: back to the results, and on to the previous and next.

A result's link carries the search in its address (``?from=<the search's
query string>&n=<position>``), so there is no session and any such link can be
shared. The report page parses ``from`` with the search form (a mangled one
gives a search with parts left out, never an error), runs the same search for
the neighbouring positions, and links only to the search page and to published
reports, by addresses it builds itself.
"""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from ..models import Report
from ..search.form import MAX_PAGE, page_number, parse_search
from ..search.links import url_with
from ..search.running import ArchiveResults, search

MAX_FROM_LENGTH = 2000  # longer than any search the page links to
WINDOW = 2  # reports fetched a search; three positions in a row span two such pages


@dataclass
class ResultNav:
    back_url: str  # the page of results this report was on
    position: int
    total: int
    previous: Report | None
    previous_url: str
    next: Report | None
    next_url: str
    terms: list  # the search's words and phrases, as the engine matched them


def card_anchor(report: Report) -> str:
    """The id of a report's card on a page of results (``report_card.html``)."""
    return f"r-{report.slug}"


def result_link(report: Report, params: QueryDict, position: int) -> str:
    """The address of a report as a search's result number ``position``."""
    found = urlencode({"from": url_with(params, drop=("page",)).lstrip("?"), "n": position})
    return f"{report.get_absolute_url()}?{found}"


def result_links(results: ArchiveResults, params: QueryDict) -> dict[int, str]:
    """Report id -> its address as a result of this page of results (for ``result_nav``)."""
    first = (results.query.page - 1) * results.query.per_page + 1
    return {
        report.pk: result_link(report, params, first + offset)
        for offset, report in enumerate(results.reports)
    }


def result_nav(report: Report, data: QueryDict) -> ResultNav | None:
    """Where this report stands in the search it was reached from; None without one, or
    when that search no longer finds it at that place."""
    raw, position = data.get("from", ""), page_number(data.get("n", ""))
    if not raw or position is None or len(raw) > MAX_FROM_LENGTH:
        return None
    parsed = parse_search(QueryDict(raw))
    query = parsed.query
    if position > MAX_PAGE * query.per_page:
        return None
    found: dict[int, Report] = {}
    results = None
    wanted = [p for p in (position - 1, position, position + 1) if p >= 1]
    for page in sorted({(p - 1) // WINDOW + 1 for p in wanted}):
        results = search(replace(query, page=page, per_page=WINDOW))
        for offset, shown in enumerate(results.reports):
            found[(page - 1) * WINDOW + offset + 1] = shown
    if results is None or found.get(position) is None or found[position].pk != report.pk:
        return None
    params = parsed.params
    params.pop("page", None)
    results_page = (position - 1) // query.per_page + 1
    back = reverse("archive:search") + url_with(
        params, page=str(results_page) if results_page > 1 else None
    )
    back += f"#{card_anchor(report)}"  # back to the report's card, not the page's top
    previous, following = found.get(position - 1), found.get(position + 1)
    return ResultNav(
        back_url=back,
        position=position,
        total=results.total,
        previous=previous,
        previous_url=result_link(previous, params, position - 1) if previous else "",
        next=following,
        next_url=result_link(following, params, position + 1) if following else "",
        terms=results.terms,
    )
