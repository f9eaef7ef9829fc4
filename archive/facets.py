"""The kinds of facet reports are described by, listed once.

Search parameters, the search index, facet counts and their titles, term
pages and their addresses, the vocabulary of names, tag suggestions, the
importer and the admin all read this list. Adding a vocabulary is a model
(a ``Term`` subclass, a field on ``Report``, an ``Alias`` subclass if it has
other names), an entry here and a migration.
"""

from dataclasses import dataclass

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .models import Agency, Person, Region, Report, Source, Topic


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter, e.g. ``?region=ryanggang``
    title: str  # the facet's heading
    index_field: str  # the search index field holding its values
    model: type | None = None  # the term model; None for the date facets
    report_field: str = ""  # the ``Report`` field that tags it
    url_prefix: str = ""  # term pages live at /<url_prefix>/<slug>/
    plural: str = ""
    tree: bool = False  # values nest: a province holds its counties
    suggested: bool = False  # suggested for reports from their text
    on_cards: bool = False  # shown as tags on lists of reports
    created_by_import: bool = False  # an unknown name in an import adds a term

    @property
    def is_term(self) -> bool:
        return self.model is not None

    @cached_property
    def alias_model(self):
        """The model of the term's other names, or None."""
        if self.model is None:
            return None
        relation = next(
            (r for r in self.model._meta.related_objects if r.get_accessor_name() == "aliases"),
            None,
        )
        return relation.related_model if relation else None

    @property
    def many(self) -> bool:
        """A report can have several (a many-to-many field), not just one."""
        return Report._meta.get_field(self.report_field).many_to_many

    def terms_of(self, report) -> list:
        """This facet's terms on a report (prefetched ones are not queried again)."""
        if self.many:
            return list(getattr(report, self.report_field).all())
        term = getattr(report, self.report_field)
        return [term] if term is not None else []


REGION = Facet(
    "region", _("Region"), "regions", Region, "regions", "regions", _("Regions"),
    tree=True, suggested=True, on_cards=True,
)  # fmt: skip
AGENCY = Facet(
    "agency", _("Agency"), "agencies", Agency, "agencies", "agencies", _("Agencies"),
    suggested=True, on_cards=True,
)  # fmt: skip
PERSON = Facet(
    "person", _("Person"), "people", Person, "people", "people", _("People"),
    suggested=True, on_cards=True,
)  # fmt: skip
TOPIC = Facet(
    "topic", _("Topic"), "topics", Topic, "topics", "topics", _("Topics"),
    suggested=True,
)  # fmt: skip
SOURCE = Facet(
    "source", _("Source"), "source", Source, "source", "sources", _("Sources"),
    created_by_import=True,
)  # fmt: skip
YEAR = Facet("year", _("Year"), "year")
MONTH = Facet("month", _("Month"), "month")

# In the order the search page shows them.
FACETS: dict[str, Facet] = {f.name: f for f in (REGION, AGENCY, PERSON, TOPIC, SOURCE, YEAR, MONTH)}
TERMS: tuple[Facet, ...] = tuple(f for f in FACETS.values() if f.is_term)
ALIASED: tuple[Facet, ...] = tuple(f for f in TERMS if f.alias_model is not None)
ON_CARDS: tuple[str, ...] = tuple(f.report_field for f in TERMS if f.on_cards)


def for_model(model) -> Facet:
    """The facet whose terms are of this model."""
    return next(f for f in TERMS if f.model is model)
