"""JSON Lines: one report a line, as in the KCNA corpus.

Required: ``title``, ``body``. Optional: ``date`` (YYYY, YYYY-MM or
YYYY-MM-DD), ``url``, ``korean_url``, ``id`` (the source's own identifier),
``source``, ``dek``, ``slug``, ``reporter``, ``translator``, ``editor``,
``keywords``, ``language`` ("en" or "ko"; otherwise read from the text), and a
list of names or slugs for each vocabulary, named as the report's field:
``regions``, ``agencies``, ``topics`` (see ``archive.facets``). A Korean
record's editor's summary and datelines are kept apart (``korean.apart``).
"""

import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ...common.dates import PartialDate
from ...common.text import XML_ILLEGAL_RE, clean_body, control_characters, xml_safe
from ...facets import TERMS
from .korean import LANGUAGES, apart, language_of
from .records import ImportedRecord, RecordProblem, longest_record, text_hash

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# The KCNA scrape joined paragraphs with ".," ("Wednesday., The"); abbreviations
# such as "U.S., Japan" or "Co., Ltd." are not joins. A match starts only where a
# word does: tried from inside one too, a long unbroken text (a base64 image)
# took time growing with the square of its length.
BROKEN_JOIN = re.compile(r"(?<!\S)(\S+)\.,\s+(?=[A-Z“\"])")
ABBREVIATIONS = {"co", "ltd", "inc", "corp", "jr", "sr", "dr", "mr", "mrs", "ms", "st", "no", "vol"}
TEXT_FIELDS = ("dek", "reporter", "translator", "editor")
TAG_FIELDS = tuple(facet.report_field for facet in TERMS if facet.many)
validate_url = URLValidator(schemes=["http", "https"])


def parse(text: str, path: str) -> tuple[list[ImportedRecord], list[RecordProblem]]:
    records, problems = [], []
    # Split on newlines only: JSON strings may hold U+2028 and other line breaks.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if len(line) > longest_record():  # refused before it is parsed
            message = (
                f"the line is {len(line):,} characters long: a report's body may hold at "
                f"most {settings.ARCHIVE_MAX_BODY_LENGTH:,} characters"
            )
            problems.append(RecordProblem(path, number, message))
            continue
        try:
            records.append(parse_record(line, path, number))
        except ValueError as exc:
            problems.append(RecordProblem(path, number, str(exc)))
    if not records and not problems:
        problems.append(RecordProblem(path, None, "the file holds no records"))
    return records, problems


def parse_record(line: str, path: str, number: int) -> ImportedRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"broken JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("broken JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ValueError("a record must be a JSON object")
    data, notices = _without_controls(data)
    title, body = _text(data, "title"), _text(data, "body")
    language = _text(data, "language").lower() or language_of(f"{title}\n{body}")
    if language not in LANGUAGES:
        raise ValueError(
            f"language {language!r} is not one the archive has ({', '.join(LANGUAGES)})"
        )
    stripped, notices_of_language, subtitle, summary = [], [], "", ""
    if language == "ko":  # lines as found: the cleaning joins a dateline to what follows
        body, subtitle, summary, stripped = apart(body)
        summary = " ".join(summary.split())
        if summary:
            notices_of_language.append(
                f"the editor's summary before the text ({len(summary):,} characters) "
                "is kept apart from it, in the editors' notes"
            )
    body = clean_body(mend_joins(body))
    if not title:
        raise ValueError("missing title")
    if not body:
        raise ValueError("missing body")
    urls = {key: _url(data, key) for key in ("url", "korean_url")}
    record = ImportedRecord(
        path=path,
        line=number,
        headline=title,
        body=body,
        date=_date(data.get("date")),
        original_url=urls["url"],
        korean_url=urls["korean_url"],
        source=_text(data, "source"),
        slug=_text(data, "slug"),
        import_key=_key(data, urls["url"], title, body),
        keywords=_list(data, "keywords"),
        sections=_list(data, "sections"),
        tags={name: _list(data, name) for name in TAG_FIELDS},
        notices=notices + notices_of_language,
        language=language,
        kept_apart=summary,
        stripped=stripped,
        **{name: _text(data, name) for name in TEXT_FIELDS},
    )
    if subtitle and not record.dek:
        record.dek = subtitle
    return record


def _without_controls(data: dict) -> tuple[dict, list[str]]:
    """The record without characters no feed can carry, and a notice naming them.

    A NUL is refused, as in a binary file (PostgreSQL cannot store it); other
    control characters, such as a pasted soft line break (a vertical tab),
    become spaces or go.
    """
    by_key = {
        key: [key, *(t for t in (v if isinstance(v, list) else [v]) if isinstance(t, str))]
        for key, v in data.items()
    }
    # Most records hold none: one look at all their text (a line break is allowed).
    if not XML_ILLEGAL_RE.search("\n".join(t for texts in by_key.values() for t in texts)):
        return data, []
    found, fields = [], []
    for key, texts in by_key.items():
        if any("\x00" in text for text in texts):
            where = xml_safe(key)[:40]
            raise ValueError(f"“{where}” holds a NUL character (\\u0000): binary data, not text")
        characters = [c for text in texts for c in control_characters(text)]
        if characters:
            found += characters
            fields.append(f"“{xml_safe(key)[:40]}”")
    if not found:
        return data, []
    cleaned = {xml_safe(key): _xml_safe(value) for key, value in data.items()}
    characters = ", ".join(dict.fromkeys(found))
    return cleaned, [
        f"removed invisible control characters ({characters}) from {', '.join(fields)}"
    ]


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    return value


def mend_joins(body: str) -> str:
    def mend(match):
        word = match.group(1)
        if "." in word or word.strip('(“"').lower() in ABBREVIATIONS:
            return match.group(0)
        return f"{word}.\n\n"

    return BROKEN_JOIN.sub(mend, body)


def _text(data: dict, key: str, numbers: bool = False) -> str:
    value = data.get(key)
    if value is None:
        return ""
    allowed = (str, int) if numbers else str
    if not isinstance(value, allowed) or isinstance(value, bool):
        raise ValueError(f"“{key}” must be text, not {json.dumps(value)[:40]}")
    # A byte order mark (U+FEFF) left inside a field is no text: one of the New Year
    # addresses' titles began with it.
    return str(value).replace("\ufeff", "").strip()


def _list(data: dict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"“{key}” must be a list of names, not {json.dumps(value)[:40]}")
    return [v.strip() for v in value if v.strip()]


def _url(data: dict, key: str) -> str:
    url = _text(data, key)
    if url:
        try:
            validate_url(url)
        except ValidationError:
            raise ValueError(f"“{key}” is not a web address: {url[:80]!r}") from None
    return url


def _date(value) -> PartialDate:
    if value in (None, ""):
        return PartialDate()
    match = DATE_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    date = PartialDate(*(int(part) if part else None for part in match.groups()))
    problems = date.errors()
    if problems:
        raise ValueError(f"absurd date {value!r}: " + "; ".join(problems))
    return date


def _key(data: dict, url: str, title: str, body: str) -> str:
    """Re-imports recognise a record by the source's id, else its address, else its text."""
    source_id = _text(data, "id", numbers=True)
    if source_id:
        return f"id:{_text(data, 'source')}:{source_id}"
    if url:
        return f"url:{url}"
    return text_hash(f"{title}\n{body}")
