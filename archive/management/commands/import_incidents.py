"""``manage.py import_incidents FILE``: incidents written elsewhere, in bulk.

One JSON object a line, as ``tests/data/incidents/incidents.jsonl`` holds them:
``title``, ``date_from`` and ``date_to`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``:
only what is known), ``places`` (names of places, in any of their spellings),
``summary``, ``note`` (to the editors' notes) and ``reports``: each an ``id`` (the
source's id a report was imported with, or the report's slug) and a ``stance``
(``reports``, ``adds``, ``disputes``, ``corrects``), optionally ``origin_kind`` and
``origin``.

The file goes in whole or not at all: a line that cannot be read, a report not in the
archive, or a stance unknown stops the import and names the line. A place the
vocabulary does not know (Phnom Penh) is kept in the incident's editors' notes. The
incidents are drafts unless ``--status published``; a second import of the same
title and first date is skipped, not doubled.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.common.dates import PartialDate
from archive.models import Incident, IncidentReport, OriginKind, Region, Report, Stance
from archive.names.vocabulary import current


class Command(BaseCommand):
    help = "Import incidents (title, dates, places, reports with a stance) from JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--status", choices=["draft", "published"], default="draft")

    def handle(self, *args, path, status, **options):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot be read ({error})") from error
        reports = self.reports()
        made = skipped = self.unknown_places = 0
        with transaction.atomic():
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    created = self.make(record, reports, status)
                except (ValueError, KeyError, TypeError) as error:
                    raise CommandError(f"{path}:{number}: {error}; nothing imported") from error
                made, skipped = made + created, skipped + (not created)
        self.stdout.write(
            f"{made} incident(s) imported, {skipped} already in the archive; "
            f"{self.unknown_places} place name(s) not in the vocabulary kept in editors' notes."
        )

    @staticmethod
    def reports() -> dict[str, int]:
        """Report id by the source's id it was imported with, and by slug."""
        return {**dict(Report.objects.values_list("slug", "pk")), **Report.objects.by_source_id()}

    def make(self, record: dict, reports: dict[str, int], status: str) -> bool:
        title = str(record["title"]).strip()[:300]
        if not title:
            raise ValueError("an incident needs a title")
        began, ended = _date(record.get("date_from")), _date(record.get("date_to"))
        start, end = PartialDate(*began), PartialDate(*ended)
        problems = start.errors() + end.errors()
        if end.year and start.year and end.sort_date() < start.sort_date():
            problems.append("it ends before it begins")
        if problems:
            raise ValueError(f"impossible date: {'; '.join(problems)}")
        if Incident.objects.filter(
            title=title, start_year=began[0], start_month=began[1], start_day=began[2]
        ).exists():
            return False
        links = []
        ids = [item["id"] for item in record["reports"]]
        if len(ids) != len(set(ids)):
            raise ValueError("a report is listed twice in one incident")
        for item in record["reports"]:
            if item["id"] not in reports:
                raise ValueError(f"no report “{item['id']}” in the archive")
            stance = item.get("stance", Stance.REPORTS)
            kind = item.get("origin_kind", OriginKind.UNKNOWN)
            if stance not in Stance.values or kind not in OriginKind.values:
                raise ValueError(f"unknown stance or origin kind for “{item['id']}”")
            links.append((reports[item["id"]], stance, kind, str(item.get("origin", ""))[:200]))
        places, unknown = [], []
        for name in record.get("places", []):
            entry = current().resolve("region", name)
            if entry is None:
                unknown.append(str(name))
            else:
                places.append(Region.objects.get(slug=entry.slug))
        notes = str(record.get("note", ""))
        if unknown:  # kept for an editor, not dropped
            notes += f"\n\nPlaces not in the vocabulary: {', '.join(unknown)}."
            self.unknown_places += len(unknown)
        slug = Incident.objects.free_slug(title)
        incident = Incident.objects.create(
            title=title,
            slug=slug,
            summary=str(record.get("summary", "")),
            start_year=began[0],
            start_month=began[1],
            start_day=began[2],
            end_year=ended[0] if ended != began else None,
            end_month=ended[1] if ended != began else None,
            end_day=ended[2] if ended != began else None,
            editor_notes=notes.strip(),
            status=status,
        )
        incident.regions.set(places)
        IncidentReport.objects.bulk_create(  # no signal a link: counted once, below
            IncidentReport(
                incident=incident, report_id=report, stance=stance, origin_kind=kind, origin=origin
            )
            for report, stance, kind, origin in links
        )
        Incident.objects.filter(pk=incident.pk).recount()
        return True


def _date(value) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; the parts not
    given stay unknown."""
    if not value:
        return None, None, None
    parts = [int(part) for part in str(value).split("-")]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"a date is YYYY, YYYY-MM or YYYY-MM-DD, not “{value}”")
    year, month, day = [*parts, None, None][:3]
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        raise ValueError(f"no such date: “{value}”")
    return year, month, day
