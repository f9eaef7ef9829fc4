"""What haystack indexes. Only published reports are ever in the index.

Facets are indexed as stable lower-case slugs (display names come from the
database). A report's regions include every larger region they lie in, so a
province's count and filter cover its cities and counties.
"""

import hashlib
import json

from haystack import indexes

from .models import Region, Report


class SlugsField(indexes.MultiValueField):
    """Exact, unanalysed values to filter and count on (never stemmed or split)."""

    field_type = "slugs"


class SortKeyField(indexes.IntegerField):
    """A per-document number to sort on without scoring."""

    field_type = "sortkey"


class StampField(indexes.CharField):
    """Stored, not searchable: a fingerprint of everything else indexed for the report."""

    field_type = "stamp"


class SpellingField(indexes.CharField):
    """Unstemmed words for "did you mean" suggestions."""

    field_type = "spelling"


def fingerprint(data: dict) -> str:
    """A short hash of a prepared document, so reconciling sees any difference."""
    fields = {key: value for key, value in data.items() if key != "stamp"}
    encoded = json.dumps(fields, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def date_key(report: Report) -> int:
    """YYYYMMDD of the sort date, 0 when the year is unknown."""
    date = report.pub_date
    return date.year * 10000 + date.month * 100 + date.day if date else 0


class ReportIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    spelling = SpellingField()
    regions = SlugsField()
    agencies = SlugsField()
    topics = SlugsField()
    source = SlugsField()
    year = SlugsField()
    month = SlugsField()
    date_key = SortKeyField()
    stamp = StampField()

    def get_model(self):
        return Report

    def index_queryset(self, using=None):
        return (
            self.get_model()
            .objects.published()
            .select_related("source")
            .prefetch_related("regions", "agencies", "topics")
        )

    def read_queryset(self, using=None):
        return self.get_model().objects.published()

    def prepare_spelling(self, report):
        return f"{report.headline}\n{report.dek}\n{report.body}"

    def prepare_regions(self, report):
        ancestry = self._ancestry()
        slugs = set()
        for region in report.regions.all():
            slugs.update(ancestry.get(region.pk, (region.slug,)))
        return sorted(slugs)

    def prepare_agencies(self, report):
        return [agency.slug for agency in report.agencies.all()]

    def prepare_topics(self, report):
        return [topic.slug for topic in report.topics.all()]

    def prepare_source(self, report):
        return [report.source.slug] if report.source else []

    def prepare_year(self, report):
        return [str(report.pub_year)] if report.pub_date else []

    def prepare_month(self, report):
        date = report.pub_date
        return [f"{date.year}-{date.month:02d}"] if date and report.pub_month else []

    def prepare_date_key(self, report):
        return date_key(report)

    def prepare_stamp(self, report):
        return ""  # filled in by full_prepare, from all the other fields

    def full_prepare(self, obj):
        data = super().full_prepare(obj)
        data["stamp"] = fingerprint(data)
        return data

    def _ancestry(self) -> dict[int, tuple[str, ...]]:
        """Each region's slug with its ancestors' slugs, read once per indexing run."""
        if getattr(self, "_ancestry_cache", None) is None:
            parents = dict(Region.objects.values_list("pk", "parent_id"))
            slugs = dict(Region.objects.values_list("pk", "slug"))
            ancestry = {}
            for pk in slugs:
                chain, node, seen = [], pk, set()
                while node is not None and node not in seen:
                    seen.add(node)
                    chain.append(slugs[node])
                    node = parents.get(node)
                ancestry[pk] = tuple(chain)
            self._ancestry_cache = ancestry
        return self._ancestry_cache

    def reset_caches(self):
        """Forget the region tree, e.g. after an editor moved a region."""
        self._ancestry_cache = None
