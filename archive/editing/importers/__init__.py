"""Turning raw reports (scraped text, JSON Lines) into Report rows.

``read_file`` parses a file into records and per-line problems without
touching the database; ``store.import_file`` resolves tags, skips what is
already in the archive and writes the rest in one transaction.
"""

from .files import read_file
from .records import ImportedRecord, RecordProblem

__all__ = ["ImportedRecord", "RecordProblem", "read_file"]
