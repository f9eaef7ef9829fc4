"""A published report as data: the records of the JSON API and of every export.

One function builds them, so the API's report, each line of a JSON Lines
export and each row of a CSV export hold the same fields with the same
values. Tags come from every vocabulary in ``archive.facets.TERMS`` (a new
vocabulary adds its field here with no change). Only what the report's page
shows is included: never editors' notes, status or import keys.

``summary`` is what a list of results carries (no body); ``full`` adds the
text and the corrections, as the report's page shows them.
"""

from django.db.models import prefetch_related_objects

from ..common.paths import path
from ..facets import TERMS, fetch_terms
from ..models import Report, web_address


def prefetch(reports: list[Report], full: bool = False) -> list[Report]:
    """Fetch the tags (and for full records the corrections) of many reports at once.

    Only the fields a record shows are read: building each place's coordinates
    and description took half an export's time.
    """
    fetch_terms(reports)
    if full:
        prefetch_related_objects(reports, "corrections")
    return reports


def term(value, base: str) -> dict:
    url = base + value.get_absolute_url()
    return {"slug": value.slug, "name": value.name, "url": url}


def date(report: Report) -> dict:
    """The parts the report states, how precise they are, and the date as readers see it."""
    known = report.date
    return {
        "year": known.year,
        "month": known.month,
        "day": known.day,
        "precision": str(known.precision),
        "text": str(known),
    }


def summary(report: Report, base: str) -> dict:
    """A report's metadata. ``base`` is the site's address without the final slash."""
    record = {
        "slug": report.slug,
        "url": base + path("archive:report", report.slug),
        "api_url": base + path("api-v1:report", report.slug),
        "headline": report.headline,
        "headline_supplied": report.headline_supplied,
        "dek": report.dek,
        "date": date(report),
        "time": report.pub_time.strftime("%H:%M") if report.pub_time else None,
        "date_note": report.date_note,
        "reporter": report.reporter,
        "translator": report.translator,
        "editor": report.editor,
        "original_url": web_address(report.original_url),
        "korean_url": web_address(report.korean_url),
        "keywords": report.keyword_list,
        "photo_caption": report.photo_caption,
        "archive_published_at": report.publish_at.isoformat(),
    }
    for facet in TERMS:
        terms = [term(t, base) for t in facet.terms_of(report)]
        record[facet.report_field] = terms if facet.many else (terms[0] if terms else None)
    return record


def full(report: Report, base: str) -> dict:
    """The metadata, the text and the corrections readers are shown."""
    return {
        **summary(report, base),
        "body": report.body,
        "corrections": [
            {"date": c.created.date().isoformat(), "note": c.note} for c in report.corrections.all()
        ],
    }
