"""Reports related to a report: alike in words (the engine's) and in the rare tags
they share.
"""

import math

from django.db.models import Count

from ..facets import TERMS
from ..models import Report
from ..search_backend import engine

RELATED_POOL = 40  # reports the engine offers as alike in words


TAG_WEIGHT = 0.3  # a shared tag carried by no other report counts as much as this


MIN_RELATED = 0.35  # below this, a report is not shown as related


COMMON_TAG = 0.2  # a tag more reports than this share carry says little: not looked at


def related(report: Report, limit: int = 5) -> list[Report]:
    """Published reports most like this one, best first; none when nothing is alike enough.

    A report's likeness is the engine's (its distinctive words shared, by
    tf-idf, from 0 to 1) plus TAG_WEIGHT for each tag shared, weighted by how
    rare the tag is (its inverse document frequency over published reports,
    over that of a tag only this report carries). Reports under MIN_RELATED
    are not shown, so a report with nothing in common gets no list at all.
    """
    alike = dict(engine().similar(report.pk, f"{report.headline}\n{report.body}", RELATED_POOL))
    scores = dict(alike)
    for pk, weight in _shared_tags(report).items():
        scores[pk] = scores.get(pk, 0.0) + TAG_WEIGHT * weight
    scores.pop(report.pk, None)
    chosen = sorted((pk for pk in scores if scores[pk] >= MIN_RELATED), key=lambda pk: -scores[pk])
    by_id = Report.objects.published().in_bulk(chosen[: limit * 2])
    return [by_id[pk] for pk in chosen if pk in by_id][:limit]


def _shared_tags(report: Report) -> dict[int, float]:
    """Published reports sharing a tag with this one: the sum of the shared tags' rarity
    (each 0 to 1). Tags most reports carry are not looked at."""
    published = Report.objects.published()
    total = published.count()
    if total < 2:
        return {}
    shared: dict[int, float] = {}
    for facet in TERMS:
        field = Report._meta.get_field(facet.report_field)
        if not field.many_to_many:
            continue
        through = field.remote_field.through
        term_column = field.m2m_reverse_field_name()
        tags = through.objects.filter(report=report).values_list(term_column, flat=True)
        counts = dict(
            through.objects.filter(**{f"{term_column}__in": list(tags)}, report__in=published)
            .values_list(term_column)
            .annotate(n=Count("report"))
        )
        rare = {
            term: math.log(total / n) / math.log(total)
            for term, n in counts.items()
            if n <= max(2, total * COMMON_TAG)
        }
        rows = through.objects.filter(
            **{f"{term_column}__in": list(rare)}, report__in=published
        ).values_list("report", term_column)
        for pk, term in rows[:5000]:
            shared[pk] = shared.get(pk, 0.0) + rare[term]
    return shared
