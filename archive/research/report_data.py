"""A published report as data: the records of the JSON API and of every export.

One function builds them, so the API's report, each line of a JSON Lines
export and each row of a CSV export hold the same fields with the same
values. Tags come from every vocabulary in ``archive.facets.TERMS`` (a new
vocabulary adds its field here with no change). Only what the report's page
shows is included: never editors' notes, status or import keys.

``summary`` is what a list of results carries (no body); ``full`` adds the
text and the corrections, as the report's page shows them.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import prefetch_related_objects

from ..common.paths import path
from ..facets import TERMS, fetch_terms
from ..models import Report, TagSuggestion, web_address


def prefetch(reports: list[Report], full: bool = False) -> list[Report]:
    """Fetch the tags (and for full records the corrections) of many reports at once.

    Only the fields a record shows are read: building each place's coordinates
    and description took half an export's time.
    """
    fetch_terms(reports)
    automatic = automatic_tags(reports)
    for report in reports:
        report.__dict__[AUTOMATIC] = automatic.get(report.pk, set())
    if full:
        prefetch_related_objects(reports, "corrections")
    return reports


AUTOMATIC = "_automatic_tags"  # where ``prefetch`` leaves a report's automatic tags


def automatic_tags(reports: list[Report]) -> dict[int, set[tuple[int, int]]]:
    """Each report's tags applied without an editor: (term type, term id) pairs."""
    found: dict[int, set[tuple[int, int]]] = {}
    rows = TagSuggestion.objects.filter(
        report__in=[r.pk for r in reports], decision=TagSuggestion.Decision.AUTOMATIC
    ).values_list("report_id", "term_type_id", "term_id")
    for report_id, type_id, term_id in rows:
        found.setdefault(report_id, set()).add((type_id, term_id))
    return found


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
    automatic = report.__dict__.get(AUTOMATIC)
    if automatic is None:
        automatic = automatic_tags([report]).get(report.pk, set())
    for facet in TERMS:
        if not facet.many:
            terms = [term(t, base) for t in facet.terms_of(report)]
            record[facet.report_field] = terms[0] if terms else None
            continue
        type_id = ContentType.objects.get_for_model(facet.model).pk
        record[facet.report_field] = [
            {**term(t, base), "automatic": (type_id, t.pk) in automatic}
            for t in facet.terms_of(report)
        ]
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
