"""A published incident as data, for the JSON API: what its page shows, and no more
(never editors' notes or a link to an unpublished report)."""

from ..common.dates import PartialDate
from ..common.paths import path
from ..models import Incident
from .report_data import date, term


def known(value: PartialDate) -> dict:
    """The parts known, how precise, and as readers see it; unknown parts are null."""
    return {
        "year": value.year,
        "month": value.month,
        "day": value.day,
        "precision": str(value.precision),
        "text": str(value),
    }


def summary(incident: Incident, base: str) -> dict:
    """What a list of incidents carries; ``base`` is the site's address."""
    return {
        "slug": incident.slug,
        "url": base + path("archive:incident", incident.slug),
        "api_url": base + path("api-v1:incident", incident.slug),
        "title": incident.title,
        "summary": incident.summary,
        "began": known(incident.began),
        "ended": known(incident.ended),
        "regions": [term(region, base) for region in incident.regions.all()],
        "independent_sources": incident.source_count,
        "report_count": incident.report_count,
    }


def full(incident: Incident, base: str) -> dict:
    """An incident with its tags, its sources by kind and the timeline of its reports."""
    standing = incident.standing()
    record = summary(incident, base)
    record.update(
        {
            "agencies": [term(t, base) for t in incident.agencies.all()],
            "people": [term(t, base) for t in incident.people.all()],
            "topics": [term(t, base) for t in incident.topics.all()],
            "independent_sources": incident.source_count,
            "truncated": standing.cut,
            "source_kinds": dict(standing.kinds),
            "first_reported": known(standing.first) if standing.first else None,
            "latest_reported": known(standing.latest) if standing.latest else None,
            "reports": [
                {
                    "slug": link.report.slug,
                    "headline": link.report.title,
                    "url": base + path("archive:report", link.report.slug),
                    "api_url": base + path("api-v1:report", link.report.slug),
                    "date": date(link.report),
                    "stance": link.stance,
                    "origin_kind": link.origin_kind,
                    "origin": link.origin,
                    "note": link.note,
                }
                for link in standing.links
            ],
        }
    )
    return record
