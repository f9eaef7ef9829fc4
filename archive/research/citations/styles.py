"""Chicago and APA citations, formatted for readers to copy (HTML, escaped).

Chicago follows the bibliography form for a news website (17th ed.), APA
the reference form for a news website (7th ed.). Where a style would need
what the archive does not know, the citation says so instead of inventing:
"n.d." with whatever part of the date the report does state in brackets,
the byline as printed (no inverted names), and a headline the archive
supplied marked as such.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import ARCHIVE_NAME, Citation, known_without_year, month_name


def _sentence(text: str) -> str:
    """Text ending in a full stop (not doubled after “Jr.” or a question mark)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _undated(c: Citation) -> str:
    known = known_without_year(c.date)
    return _("n.d.") + (f" [{known}]" if known else "")


def chicago_date(c: Citation) -> str:
    if not c.dated:
        return _undated(c)
    if c.date.month and c.date.day:
        return f"{month_name(c.date.month)} {c.date.day}, {c.date.year}"
    if c.date.month:
        return f"{month_name(c.date.month)} {c.date.year}"
    return str(c.date.year)


def chicago(c: Citation) -> SafeString:
    """Author. “Headline.” Translated by …. *Source*, April 19, 2024. URL."""
    parts = []
    if c.authors:
        parts.append(format_html("{}", _sentence(" and ".join(c.authors))))
    if c.supplied:
        parts.append(format_html("“{}” [{}].", c.title, _("headline supplied by the archive")))
    else:
        parts.append(format_html("“{}”", _sentence(c.title)))
    if c.translators:
        names = " and ".join(c.translators)
        parts.append(format_html("{}", _sentence(_("Translated by %(names)s") % {"names": names})))
    if c.container:
        parts.append(format_html("<i>{}</i>, {}", c.container, _sentence(chicago_date(c))))
    else:
        parts.append(format_html("{}", _sentence(chicago_date(c))))
    if not c.dated:
        # Chicago asks for the day a source without a date was consulted.
        day = f"{month_name(c.accessed.month)} {c.accessed.day}, {c.accessed.year}"
        parts.append(format_html("{}", _("Accessed %(day)s.") % {"day": day}))
    parts.append(format_html("{}.", c.url))
    if c.version:  # the archive's copy, as it was when cited
        version = c.version_text()
        version = version[0].lower() + version[1:]
        if c.original_url:
            parts.append(format_html("{}, {}, {}.", ARCHIVE_NAME, version, c.permalink))
        else:
            parts.append(format_html("{}, {}.", ARCHIVE_NAME, version))
    elif c.original_url:
        parts.append(format_html("{}, {}.", ARCHIVE_NAME, c.permalink))
    return format_html_join(" ", "{}", ((p,) for p in parts))


def apa_date(c: Citation) -> str:
    if not c.dated:
        return _undated(c)
    if c.date.month and c.date.day:
        return f"{c.date.year}, {month_name(c.date.month)} {c.date.day}"
    if c.date.month:
        return f"{c.date.year}, {month_name(c.date.month)}"
    return str(c.date.year)


def apa(c: Citation) -> SafeString:
    """Author. (2024, April 19). *Headline* (Translator, Trans.). Source. URL"""
    title = format_html("<i>{}</i>", c.title)
    if c.supplied:
        title = format_html("{} [{}]", title, _("Headline supplied by the archive"))
    if c.version:
        title = format_html("{} ({})", title, c.version_text())
    if c.translators:
        title = format_html("{} ({}, {})", title, " & ".join(c.translators), _("Trans."))
    if c.supplied or c.translators or c.version or not c.title.endswith((".", "?", "!")):
        title = format_html("{}.", title)
    date = format_html("({}).", apa_date(c))
    if c.authors:
        parts = [format_html("{}", _sentence(" & ".join(c.authors))), date, title]
    else:  # APA moves the title to the author's place
        parts = [title, date]
    if c.container:
        parts.append(format_html("{}", _sentence(c.container)))
    parts.append(format_html("{}", c.url))
    return mark_safe(" ".join(parts))
