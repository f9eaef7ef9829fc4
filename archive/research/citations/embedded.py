"""Citations hidden in pages for browser connectors: ``<meta>`` tags and COinS.

Zotero's and Mendeley's connectors read Highwire Press ``citation_*`` tags
and Dublin Core ``DC.*`` tags in a report page's head, and COinS spans
(OpenURL ContextObjects) in lists of results. Dates carry only the parts the
report states (Highwire ``2024/04``, Dublin Core ``2024-04``) and are left
out when the year is unknown.
"""

from urllib.parse import urlencode

from . import Citation, iso_date

DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


def meta_tags(c: Citation) -> list[tuple[str, str]]:
    """(name, content) pairs for a report page's head, Highwire first, then Dublin Core."""
    tags = [("citation_title", c.machine_title)]
    tags += [("citation_author", name) for name in c.authors]
    if c.dated:
        tags.append(("citation_publication_date", iso_date(c.date, "/")))
    if c.container:
        tags.append(("citation_publisher", c.container))
    tags += [
        ("citation_public_url", c.permalink),
        ("citation_fulltext_html_url", c.permalink),
        ("citation_language", c.language),
    ]
    if c.abstract:
        tags.append(("citation_abstract", c.abstract))
    if c.keywords:
        tags.append(("citation_keywords", "; ".join(c.keywords)))

    tags.append(("DC.title", c.machine_title))
    tags += [("DC.creator", name) for name in c.authors]
    tags += [("DC.contributor", name) for name in c.translators]
    if c.dated:
        tags.append(("DC.date", iso_date(c.date)))
    if c.container:
        tags.append(("DC.publisher", c.container))
    if c.original_url:
        tags.append(("DC.source", c.original_url))
    tags += [
        ("DC.identifier", c.permalink),
        ("DC.type", "Text"),
        ("DC.format", "text/html"),
        ("DC.language", c.language),
    ]
    tags += [("DC.subject", keyword) for keyword in c.keywords]
    if c.abstract:
        tags.append(("DC.description", c.abstract))
    return tags


def coins(c: Citation) -> str:
    """The ``title`` of a COinS span: an OpenURL 1.0 ContextObject for an article."""
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rft.genre", "article"),
        ("rft.atitle", c.machine_title),
    ]
    if c.container:
        pairs.append(("rft.jtitle", c.container))
    if c.dated:
        pairs.append(("rft.date", iso_date(c.date)))
    pairs += [("rft.au", name) for name in c.authors]
    pairs += [("rft_id", c.url), ("rft.language", c.language)]
    return urlencode(pairs)
