"""The search a request's parameters ask for, as the search page and the API run it.

Both parse the parameters with ``parse_search`` and run ``search()``; a page
past the last one shows the last, with a message. Keeping this in one place
keeps the page and the API in step: same reports, same counts, same words.
"""

from dataclasses import replace

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict
from django.utils.translation import ngettext

from .form import ParsedSearch, parse_search
from .running import ArchiveResults, search


def run_search(data: QueryDict, **counts) -> tuple[ParsedSearch, ArchiveResults]:
    """The parsed parameters (with their messages) and the results to show. ``counts``
    asks the search for more counts (``cross``, ``own``: see ``search()``)."""
    parsed = parse_search(data)
    return parsed, run_parsed(parsed, **counts)


def run_parsed(parsed: ParsedSearch, **counts) -> ArchiveResults:
    """The results to show for a search already parsed (``parsed.params`` and
    ``parsed.messages`` follow a page past the last one)."""
    results = search(parsed.query, visible=parsed.visible, **counts)
    last = results.num_pages
    if results.total and parsed.query.page > last:
        parsed.messages.append(
            ngettext(
                "There is only one page of results; showing it.",
                "There are only %(n)s pages; showing the last one.",
                last,
            )
            % {"n": intcomma(last)}
        )
        results = search(replace(parsed.query, page=last), visible=parsed.visible, **counts)
        parsed.params["page"] = str(last)
    return results
