"""BibTeX, RIS and CSL-JSON: citations for reference managers (Zotero, EndNote, BibDesk…).

Each writes only what is known. An undated report has no year field at all
(a style then prints "n.d."); a day with no year goes into the note, never
into a date field. Names are literal (BibTeX braces, CSL ``literal``), as the
report gives them.
"""

import re
from urllib.parse import quote

from . import ARCHIVE_NAME, Citation, iso_date

BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# What TeX would read as markup, written so that it prints as the character.
# Braces become macros rather than \{ and \}: BibTeX counts escaped braces too.
BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_RE = re.compile("|".join(re.escape(c) for c in BIBTEX_SPECIAL))
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    return " ".join(CONTROL_RE.sub(" ", text).split())


def tex(text: str) -> str:
    return BIBTEX_RE.sub(lambda m: BIBTEX_SPECIAL[m.group()], one_line(text))


def bibtex_url(url: str) -> str:
    """A URL BibTeX and LaTeX's url package take verbatim: braces, backslashes, spaces encoded."""
    return quote(one_line(url), safe="/:?#[]@!$&'()*+,;=%~")


def bibtex(c: Citation) -> str:
    """One ``@article`` entry (the type every BibTeX style knows; biblatex fields added)."""
    fields = [("title", "{{" + tex(c.machine_title) + "}}")]
    if c.authors:
        fields.append(("author", "{" + " and ".join("{" + tex(a) + "}" for a in c.authors) + "}"))
    if c.translators:
        names = " and ".join("{" + tex(t) + "}" for t in c.translators)
        fields.append(("translator", "{" + names + "}"))
    if c.container:
        fields.append(("journal", "{" + tex(c.container) + "}"))
    if c.dated:
        fields.append(("year", "{" + str(c.date.year) + "}"))
        if c.date.month:
            fields.append(("month", BIBTEX_MONTHS[c.date.month - 1]))
        fields.append(("date", "{" + iso_date(c.date) + "}"))
    if c.version:
        fields.append(("version", "{" + str(c.version[0]) + "}"))
    fields.append(("url", "{" + bibtex_url(c.url) + "}"))
    fields.append(("urldate", "{" + c.accessed.isoformat() + "}"))
    if c.abstract:
        fields.append(("abstract", "{" + tex(c.abstract) + "}"))
    if c.keywords:
        fields.append(("keywords", "{" + tex(", ".join(c.keywords)) + "}"))
    notes = c.notes()
    if notes:
        fields.append(("note", "{" + tex(" ".join(notes)) + "}"))
    fields.append(("language", "{english}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@article{{{c.key},\n{body},\n}}\n"


def ris(c: Citation) -> str:
    """One RIS record (``TY  - NEWS`` … ``ER  -``), lines ending CRLF as the format asks."""
    lines = [("TY", "NEWS"), ("TI", c.machine_title)]
    lines += [("AU", name) for name in c.authors]
    lines += [("A4", name) for name in c.translators]  # translators, in RIS's NEWS type
    if c.container:
        lines.append(("T2", c.container))
    if c.dated:
        lines.append(("PY", str(c.date.year)))
        lines.append(("DA", iso_date(c.date, "/")))
    if c.version:
        lines.append(("ET", str(c.version[0])))  # the edition: the archive copy's version
    lines.append(("UR", c.url))
    lines.append(("Y2", c.accessed.strftime("%Y/%m/%d")))
    if c.abstract:
        lines.append(("AB", c.abstract))
    lines += [("KW", keyword) for keyword in c.keywords]
    lines += [("N1", note) for note in c.notes()]
    lines += [("LA", c.language), ("ID", c.key), ("ER", "")]
    return "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines)


def csl(c: Citation) -> dict:
    """One CSL-JSON item (the format of citeproc, Zotero and Pandoc)."""
    item = {
        "id": c.key,
        "type": "article-newspaper",
        "title": c.machine_title,
        "URL": c.url,
        "accessed": {"date-parts": [[c.accessed.year, c.accessed.month, c.accessed.day]]},
        "language": c.language,
        "archive": str(ARCHIVE_NAME),
        "archive_location": c.permalink,
    }
    if c.authors:
        item["author"] = [{"literal": name} for name in c.authors]
    if c.translators:
        item["translator"] = [{"literal": name} for name in c.translators]
    if c.container:
        item["container-title"] = c.container
    if c.dated:
        parts = [c.date.year, c.date.month, c.date.day if c.date.month else None]
        item["issued"] = {"date-parts": [[p for p in parts if p]]}
    if c.version:
        item["version"] = str(c.version[0])
    if c.abstract:
        item["abstract"] = c.abstract
    if c.keywords:
        item["keyword"] = ", ".join(c.keywords)
    notes = c.notes()
    if notes:
        item["note"] = "\n".join(notes)
    return item
