"""Raw text as scraped from a news site, page furniture and all.

One paragraph per line. Before the body there may be a weather widget, a
headline, a dek and a photo caption; after it credits, contact boilerplate,
"Read in Korean", a stated date and "Most Popular Articles". We keep what the
text states and strip the rest; nothing is guessed.
"""

import calendar
import datetime
import re

from ...common.dates import PartialDate
from ...common.text import SPACE_RE, control_characters, html_to_text, looks_like_html, xml_safe
from .records import ImportedRecord, RecordProblem, text_hash

# "april", "apr" and "sept" all name a month.
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# Lines that are never content, wherever they stand.
FURNITURE = [
    re.compile(r"^read in korean$", re.I),
    re.compile(r"^please (direct|send) any comments or questions about this article to \S+$", re.I),
    re.compile(r"^daily nk works with a network of sources\b", re.I),
    re.compile(r"^by dailynk\s*\(.*\)$", re.I),
]
# Everything from this line on is the site's, not the report's.
TRAILER = re.compile(r"^most popular articles$", re.I)
# The weather widget at the top of a reprint: "33.1 C", then today's date.
WEATHER = re.compile(r"^-?\d{1,2}(\.\d)?\s*°?\s*[CF]$")
WIDGET_DATE = re.compile(rf"^({WEEKDAYS}), [a-z]+ \d{{1,2}}, \d{{4}}$", re.I)
STATED_DATE = re.compile(
    r"^(?P<month>[A-Za-z]+)\.? (?P<day>\d{1,2}), (?P<year>\d{4})"
    r"(?: at (?P<hour>\d{1,2}):(?P<minute>\d{2}) ?(?P<ampm>[AP]M)?)?$",
    re.I,
)
# A credit names people: capitalised words ("Translated by David Black.").
NAME = r"[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|and|&))*"
CREDIT = re.compile(rf"(Translated|Edited|Written|Reported) by ({NAME})\s*(?:\.|$)")
CREDIT_FIELDS = {
    "translated": "translator",
    "edited": "editor",
    "written": "reporter",
    "reported": "reporter",
}
HASHTAG_LINE = re.compile(r"^(#[\w'-]+\s*)+$")
CAPTION = re.compile(r"^(FILE PHOTO:.*|.{3,300}\([^()]{2,60}\))$")
# Who publishes the report, recognised by how its texts speak of it.
SOURCE_SIGNATURES = {
    "Daily NK": re.compile(r"dailynk|\bDaily NK\b", re.I),
}


def parse(text: str, path: str) -> tuple[list[ImportedRecord], list[RecordProblem]]:
    record = ImportedRecord(path=path, line=None, body="", import_key="")
    found = control_characters(text)
    if found:  # a pasted soft line break (a vertical tab), say: no feed can carry it
        text = xml_safe(text)
        record.notices.append(f"removed invisible control characters ({', '.join(found)})")
    if looks_like_html(text):
        text = html_to_text(text)
    lines = [SPACE_RE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if not line:
            continue
        if TRAILER.match(line):
            record.stripped.append(line)
            break
        if any(p.search(line) for p in FURNITURE) or _take_tail_fact(record, line):
            record.stripped.append(line)
            continue
        kept.append(line)

    body = _take_header(record, kept)
    if not body:
        found = "only a headline" if record.headline else "nothing"
        message = f"no report body: {found} left after removing page furniture"
        return [], [RecordProblem(path, None, message)]
    record.body = "\n\n".join(body)
    # Keyed on what the report says, so a re-scrape with other furniture is the same report.
    record.import_key = text_hash(f"{record.headline}\n{record.body}")
    problems = record.date_problems + [
        f"absurd date “{record.stated_date}”: {problem}" for problem in record.date.errors()
    ]
    if problems:
        return [], [RecordProblem(path, None, problem) for problem in problems]
    for name, signature in SOURCE_SIGNATURES.items():
        if signature.search(text):
            record.source = name
            break
    return [record], []


def _take_tail_fact(record: ImportedRecord, line: str) -> bool:
    """Take credits, hashtags or a stated date from a line; True if taken."""
    if HASHTAG_LINE.match(line):
        record.keywords = [tag.lstrip("#") for tag in line.split()]
        return True
    credits = CREDIT.findall(line)
    if credits and not CREDIT.sub("", line).strip(" *.\t"):
        for verb, name in credits:
            setattr(record, CREDIT_FIELDS[verb.lower()], name.strip())
        return True
    match = STATED_DATE.match(line)
    if match and match["month"].lower() in MONTHS:
        record.date = PartialDate(
            int(match["year"]), MONTHS[match["month"].lower()], int(match["day"])
        )
        record.stated_date = line
        if match["hour"]:
            record.time = _clock(int(match["hour"]), int(match["minute"]), match["ampm"])
            if record.time is None:
                record.date_problems.append(f"the time in “{line}” does not exist")
        return True
    return False


def _clock(hour: int, minute: int, ampm: str | None) -> datetime.time | None:
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.upper() == "PM" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def _looks_like_body(line: str) -> bool:
    return line.endswith((".", ".”", '."', ".’")) or len(line) > 250


def _take_header(record: ImportedRecord, lines: list[str]) -> list[str]:
    """Take widget, headline, dek and caption from before the body; return the body."""
    header: list[str] = []
    index = 0
    while index < len(lines) and not (
        _looks_like_body(lines[index]) and not CAPTION.match(lines[index])
    ):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not header and (WEATHER.match(line) or WIDGET_DATE.match(line)):
            record.stripped.append(line)
        elif CAPTION.match(line):
            record.photo_caption = line
        elif line.islower() and CAPTION.match(following):
            record.stripped.append(line)  # an image's alt text, shown before its caption
        else:
            header.append(line)
        index += 1
    if header:
        record.headline = header.pop(0)
    if header:
        record.dek = header.pop(0)
    # Any further header lines are content we cannot place: keep them in the body.
    return header + lines[index:]
