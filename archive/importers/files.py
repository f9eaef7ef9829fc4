"""Reading one file of raw reports, by its kind."""

from pathlib import Path

from . import jsonl, scraped
from .records import ImportedRecord, RecordProblem


def read_file(path: Path) -> tuple[list[ImportedRecord], list[RecordProblem]]:
    """Parse one file by its kind; never raises for bad content."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [RecordProblem(name, None, f"cannot read the file ({exc.strerror})")]
    if not raw.strip():
        return [], [RecordProblem(name, None, "the file is empty")]
    if b"\x00" in raw:
        return [], [RecordProblem(name, None, "the file is binary, not text")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [
            RecordProblem(name, None, f"the file is not UTF-8 text (byte {exc.start} is invalid)")
        ]
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return jsonl.parse(text, name)
    if suffix in {".txt", ".text", ""}:
        return scraped.parse(text, name)
    return [], [RecordProblem(name, None, f"unknown kind of file “{suffix}”: use .txt or .jsonl")]
