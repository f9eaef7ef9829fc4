"""The kinds of facet reports are described by, listed once.

Search parameters, the search index, facet counts and their titles, term
pages and their addresses, the vocabulary of names, tag suggestions, the
importer and the admin all read this list. Adding a vocabulary is a model
(a ``Term`` subclass, a field on ``Report``, an ``Alias`` subclass if it has
other names), an entry here and a migration.
"""

from dataclasses import dataclass

from django.db import connections, router
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
    choices: tuple[tuple[str, str], ...] = ()  # a fixed facet's values and their labels

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
        """This facet's terms on a report (fetched or prefetched ones are not queried again)."""
        if self.many:
            fetched = report.__dict__.get(FETCHED, {})
            if self.report_field in fetched:
                return fetched[self.report_field]
            return list(getattr(report, self.report_field).all())
        term = getattr(report, self.report_field)
        return [term] if term is not None else []


REGION = Facet(
    "region",
    _("Region"),
    "regions",
    Region,
    "regions",
    "regions",
    _("Regions"),
    tree=True,
    suggested=True,
    on_cards=True,
)
AGENCY = Facet(
    "agency",
    _("Agency"),
    "agencies",
    Agency,
    "agencies",
    "agencies",
    _("Agencies"),
    suggested=True,
    on_cards=True,
)
PERSON = Facet(
    "person",
    _("Person"),
    "people",
    Person,
    "people",
    "people",
    _("People"),
    suggested=True,
    on_cards=True,
)
TOPIC = Facet(
    "topic",
    _("Topic"),
    "topics",
    Topic,
    "topics",
    "topics",
    _("Topics"),
    suggested=True,
)
SOURCE = Facet(
    "source",
    _("Source"),
    "source",
    Source,
    "source",
    "sources",
    _("Sources"),
    created_by_import=True,
)
LANGUAGE = Facet(
    "language", _("Language"), "language", choices=Report._meta.get_field("language").choices
)
YEAR = Facet("year", _("Year"), "year")
MONTH = Facet("month", _("Month"), "month")

# In the order the search page shows them.
FACETS: dict[str, Facet] = {
    f.name: f for f in (REGION, AGENCY, PERSON, TOPIC, SOURCE, LANGUAGE, YEAR, MONTH)
}
TERMS: tuple[Facet, ...] = tuple(f for f in FACETS.values() if f.is_term)
ALIASED: tuple[Facet, ...] = tuple(f for f in TERMS if f.alias_model is not None)
ON_CARDS: tuple[str, ...] = tuple(f.report_field for f in TERMS if f.on_cards)


FETCHED = "fetched_terms"  # a report's attribute: report field -> its terms, by name
SHOWN = ("id", "slug", "name")  # what fetch_terms reads of a term, in its SELECT's order


def fetch_terms(reports: list, fields: tuple[str, ...] | None = None) -> list:
    """The terms of many reports' many-valued facets (all, or the given report fields), in
    one query; ``Facet.terms_of`` reads them.

    Prefetching each facet took three queries, and a list of results, an export
    or a feed spent about a tenth of its time there. Only the fields a tag
    shows are read (``id``, ``slug``, ``name``); the others load if used.
    """
    chosen = [f for f in TERMS if f.many and (fields is None or f.report_field in fields)]
    by_pk = {report.pk: report for report in reports}
    for report in reports:
        report.__dict__[FETCHED] = {f.report_field: [] for f in chosen}
    if not by_pk or not chosen:
        return reports
    db = router.db_for_read(Report)
    quote = connections[db].ops.quote_name
    parts, read = [], []  # read: each facet's fields of a term, in its model's order
    for number, facet in enumerate(chosen):
        relation = Report._meta.get_field(facet.report_field)
        through = quote(relation.remote_field.through._meta.db_table)
        term = quote(facet.model._meta.db_table)
        report_column = quote(relation.m2m_column_name())
        term_column = quote(relation.m2m_reverse_name())
        parts.append(
            f"SELECT {number}, t.{report_column}, x.id, x.slug, x.name "
            f"FROM {through} t INNER JOIN {term} x ON x.id = t.{term_column} "
            f"WHERE t.{report_column} IN ({', '.join(['%s'] * len(by_pk))})"
        )
        read.append([f.attname for f in facet.model._meta.concrete_fields if f.attname in SHOWN])
    # Each facet's terms by name, as its model's ordering gives them.
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 5"
    with connections[db].cursor() as cursor:
        cursor.execute(sql, list(by_pk) * len(chosen))
        for number, report_pk, *values in cursor.fetchall():
            facet, shown = chosen[number], dict(zip(SHOWN, values, strict=True))
            term = facet.model.from_db(db, read[number], [shown[f] for f in read[number]])
            by_pk[report_pk].__dict__[FETCHED][facet.report_field].append(term)
    return reports


def for_model(model) -> Facet:
    """The facet whose terms are of this model."""
    return next(f for f in TERMS if f.model is model)
