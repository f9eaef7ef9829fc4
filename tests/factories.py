"""Small builders for test data: only what a test names is set."""

import datetime
import itertools

from django.utils import timezone

from archive.facets import TERMS
from archive.models import Agency, Region, Report, ReportVersion, Topic

_numbers = itertools.count(1)


def make_region(name="Ryanggang", kind=Region.Kind.PROVINCE, parent=None, **fields):
    slug = fields.pop("slug", None) or f"{name.lower().replace(' ', '-')}-{next(_numbers)}"
    return Region.objects.create(name=name, slug=slug, kind=kind, parent=parent, **fields)


def make_agency(name="Ministry of State Security", **fields):
    slug = fields.pop("slug", None) or f"agency-{next(_numbers)}"
    return Agency.objects.create(name=name, slug=slug, **fields)


def make_topic(name="Corruption", **fields):
    slug = fields.pop("slug", None) or f"topic-{next(_numbers)}"
    return Topic.objects.create(name=name, slug=slug, **fields)


def make_report(headline="Border guards punished", status=Report.Status.PUBLISHED, **fields):
    fields.setdefault("slug", f"report-{next(_numbers)}")
    fields.setdefault("body", f"{headline}. The source told the reporter more.")
    fields.setdefault("publish_at", timezone.now() - datetime.timedelta(hours=1))
    many = [facet.report_field for facet in TERMS if facet.many]
    tags = {name: fields.pop(name, []) for name in many}
    with ReportVersion.objects.one_change():  # a report made with its tags: one version
        report = Report.objects.create(headline=headline, status=status, **fields)
        for name, terms in tags.items():
            if terms:  # a new report has none to clear
                getattr(report, name).set(terms)
    return report


def make_many_reports(count: int, headline="Routine report", **fields) -> list[Report]:
    """Many published reports at once (no versions, no signals): index them with
    ``rebuild_search``. Their dates run back a day at a time from 2020."""
    start = datetime.date(2020, 12, 31)
    now = timezone.now() - datetime.timedelta(hours=1)
    reports = []
    for n in range(count):
        day = start - datetime.timedelta(days=n)
        number = next(_numbers)
        reports.append(
            Report(
                headline=f"{headline} {number}",
                slug=f"bulk-{number}",
                body=f"{headline} {number}. The source told the reporter more.",
                status=Report.Status.PUBLISHED,
                publish_at=now,
                first_published=now,
                pub_year=day.year,
                pub_month=day.month,
                pub_day=day.day,
                pub_date=day,
                **fields,
            )
        )
    return Report.objects.bulk_create(reports)
