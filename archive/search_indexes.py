"""What haystack indexes. Only published reports are ever in the index.

Each vocabulary of ``archive.facets`` is a field of stable lower-case slugs
(display names come from the database). For a tree (regions), a report's
values include every larger term its terms lie in, so a province's count and
filter cover its cities and counties.
"""

import hashlib
import json

from haystack import indexes

from .common import trees
from .facets import TERMS
from .models import Report
from .search_backend.analysis import WORDS_RE


class SlugsField(indexes.MultiValueField):
    """Exact, unanalysed values to filter and count on (never stemmed or split)."""

    field_type = "slugs"


class SortKeyField(indexes.IntegerField):
    """A per-document number to sort on without scoring."""

    field_type = "sortkey"


class StampField(indexes.CharField):
    """Stored, not searchable: a fingerprint of everything else indexed for the report."""

    field_type = "stamp"


class HeadlineField(indexes.CharField):
    """The headline again, on its own: words in it count more in ranking."""

    field_type = "headline"


def fingerprint(data: dict) -> str:
    """A short hash of a prepared document, so reconciling sees any difference."""
    fields = {key: value for key, value in data.items() if key != "stamp"}
    encoded = json.dumps(fields, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def date_key(report: Report) -> int:
    """YYYYMMDD of the sort date, 0 when the year is unknown."""
    date = report.pub_date
    return date.year * 10000 + date.month * 100 + date.day if date else 0


# A field of exact slugs for each vocabulary (``regions``, ``agencies``, …).
_TermFields = type(
    "_TermFields",
    (indexes.SearchIndex,),
    {facet.index_field: SlugsField() for facet in TERMS},
)


class ReportIndex(_TermFields, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    headline = HeadlineField(model_attr="headline")
    language = SlugsField()
    year = SlugsField()
    month = SlugsField()
    date_key = SortKeyField()
    stamp = StampField()

    def get_model(self):
        return Report

    def index_queryset(self, using=None):
        many = [facet.report_field for facet in TERMS if facet.many]
        return self.get_model().objects.published().select_related("source").prefetch_related(*many)

    def read_queryset(self, using=None):
        return self.get_model().objects.published()

    def prepare(self, report):
        data = super().prepare(report)
        for facet in TERMS:
            data[facet.index_field] = self.slugs(facet, report)
        return data

    def prepare_text(self, report):
        """The report's own text (the template), then the names of its tags."""
        names = [
            name
            for facet in TERMS
            if facet.many
            for term in facet.terms_of(report)
            for name in (term.name, getattr(term, "abbreviation", ""))
            if name
        ]
        return self.prepared_data["text"].rstrip() + "\n" + " ".join(names) + "\n"

    def words_of(self, report_ids: list[int]) -> set[str]:
        """Every word of these reports as written (lower case): what "did you mean" draws on."""
        words = set()
        for start in range(0, len(report_ids), 900):
            chunk = report_ids[start : start + 900]
            rows = Report.objects.filter(pk__in=chunk).values_list("headline", "dek", "body")
            for headline, dek, body in rows:
                words.update(WORDS_RE.findall(f"{headline}\n{dek}\n{body}".lower()))
        return words

    def slugs(self, facet, report) -> list[str]:
        """A facet's values: the terms' slugs, with every larger term's for a tree."""
        terms = facet.terms_of(report)
        if not facet.tree:
            return [term.slug for term in terms]
        ancestry = self._ancestry(facet)
        return sorted({slug for term in terms for slug in ancestry.get(term.pk, (term.slug,))})

    def prepare_language(self, report):
        return [report.language]

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

    def _ancestry(self, facet) -> dict[int, tuple[str, ...]]:
        """Each term's slug with its ancestors' slugs, read once per indexing run."""
        caches = self.__dict__.setdefault("_ancestry_cache", {})
        if facet.name not in caches:
            rows = facet.model.objects.values_list("pk", "parent_id", "slug")
            parents = {pk: parent for pk, parent, _ in rows}
            slugs = {pk: slug for pk, _, slug in rows}
            caches[facet.name] = {
                pk: (slugs[pk], *(slugs[a] for a in trees.ancestors(pk, parents.get)))
                for pk in slugs
            }
        return caches[facet.name]

    def reset_caches(self):
        """Forget the trees, e.g. after an editor moved a region."""
        self.__dict__.pop("_ancestry_cache", None)
