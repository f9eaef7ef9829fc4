"""Reading one file of raw reports, by its kind."""

import errno
import os
import stat
from pathlib import Path

from django.conf import settings

from . import jsonl, scraped
from .records import ImportedRecord, RecordProblem, longest_record

TEXT_SUFFIXES = {".txt", ".text", ""}
LINE_SUFFIXES = {".jsonl", ".ndjson"}
KINDS = [
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
]


class NotRead(Exception):
    """A path the importer will not read, and why."""


def read_file(
    path: Path, follow_symlinks: bool = False
) -> tuple[list[ImportedRecord], list[RecordProblem]]:
    """Parse one file by its kind; never raises for bad content.

    Only regular files are read. A symbolic link is refused unless asked for
    (a link to /etc/passwd would become a report every editor can read); a
    pipe or device is never read (one would wait for ever, another never end).
    """
    name = str(path)
    try:
        raw = read_regular_file(path, follow_symlinks)
    except NotRead as refused:
        return [], [RecordProblem(name, None, str(refused))]
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
    if suffix in LINE_SUFFIXES:
        return jsonl.parse(text, name)
    if suffix in TEXT_SUFFIXES:
        return scraped.parse(text, name)
    return [], [RecordProblem(name, None, f"unknown kind of file “{suffix}”: use .txt or .jsonl")]


def read_regular_file(path: Path, follow_symlinks: bool) -> bytes:
    """The bytes of a regular file; ``NotRead`` for anything else.

    The checks are made on the file opened, not on its name, so that nothing
    can be swapped in between. A scraped text file far longer than any report
    the archive takes is refused before it is read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK  # opening a pipe must not wait for a writer
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks and os.path.islink(path):
            raise NotRead(
                "a symbolic link, not read (pass --follow-symlinks to read what it points to)"
            ) from None
        raise
    with os.fdopen(descriptor, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if not stat.S_ISREG(mode):
            kind = next((kind for test, kind in KINDS if test(mode)), "not a file")
            raise NotRead(f"not a regular file ({kind}), not read")
        size = os.fstat(file.fileno()).st_size
        if path.suffix.lower() in TEXT_SUFFIXES and size > longest_record():
            raise NotRead(
                f"the file is {size:,} bytes long: a report's body may hold at most "
                f"{settings.ARCHIVE_MAX_BODY_LENGTH:,} characters"
            )
        return file.read()
