"""The parsed form of one raw report, independent of the input format."""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings

from ...common.dates import PartialDate


@dataclass
class RecordProblem:
    """Something wrong with one record (or the whole file when line is None)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class ImportedRecord:
    path: str
    line: int | None  # None for formats with one report a file
    body: str
    import_key: str
    headline: str = ""
    dek: str = ""
    photo_caption: str = ""
    date: PartialDate = field(default_factory=PartialDate)
    time: datetime.time | None = None
    source: str = ""
    original_url: str = ""
    korean_url: str = ""
    reporter: str = ""
    translator: str = ""
    editor: str = ""
    slug: str = ""
    keywords: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # where the source filed it
    language: str = "en"
    kept_apart: str = ""  # someone else's text that came with the record (an editor's summary)
    # Names or slugs of terms, by Report field: {"regions": ["Hyesan"], "topics": [...]}.
    tags: dict[str, list[str]] = field(default_factory=dict)
    # Page furniture the parser removed, listed for the editor who reviews the import.
    stripped: list[str] = field(default_factory=list)
    stated_date: str = ""
    date_problems: list[str] = field(default_factory=list)
    # What the importer changed in the text, told to whoever runs it and to editors.
    notices: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Fields a published report needs that the raw text did not give."""
        missing = []
        if not self.headline:
            missing.append("headline")
        if not self.date.year:
            missing.append("publication date")
        if not self.source:
            missing.append("source")
        return missing


def text_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def longest_record() -> int:
    """The most raw text one report may take before it is even parsed: a body at the
    limit with every character a JSON escape or wrapped in HTML, and the other fields."""
    return 12 * settings.ARCHIVE_MAX_BODY_LENGTH + 100_000
