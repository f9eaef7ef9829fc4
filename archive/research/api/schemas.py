"""The shapes of the API's answers: its OpenAPI document, and a check on every response.

Field names are part of version 1 and do not change within it. The tags of a
report have one field per vocabulary in ``archive.facets.TERMS`` (``regions``,
``agencies``, ``topics``, ``source``, …), added here from that list.
"""

from pydantic import BaseModel, Field, create_model

from ...common.dates import DatePrecision
from ...facets import TERMS


class Schema(BaseModel):
    """The API's answers are built as plain data (``archive.research.report_data``), and checked as
    they are: django-ninja's ``Schema`` reads each nested value through an attribute
    getter meant for model instances, which took a fifth of a search answer's time."""


class Error(Schema):
    detail: str = Field(description="What went wrong, in the words the pages use.")


class TermRef(Schema):
    slug: str
    name: str
    url: str = Field(description="The term's page.")


class TagRef(TermRef):
    automatic: bool = Field(
        description="Tagged by the archive's rules or learned taggers, not by an editor "
        "(editors can remove it; see /about/#tags)."
    )


class ReportDate(Schema):
    """Only what the report states: a part it does not state is null, never guessed."""

    year: int | None
    month: int | None
    day: int | None
    precision: str = Field(description=" | ".join(DatePrecision.values))
    text: str = Field(description="As readers see it, e.g. “Jan. 15, year unknown”.")


class _ReportFields(Schema):
    slug: str
    url: str = Field(description="The report's page (its permalink).")
    api_url: str
    headline: str
    headline_supplied: bool = Field(
        description="True when the original has no headline and the archive's editors wrote it."
    )
    dek: str
    date: ReportDate
    time: str | None = Field(description="HH:MM, when the report states it.")
    date_note: str
    reporter: str
    translator: str
    editor: str
    original_url: str = Field(description="The source's own address, or empty.")
    korean_url: str
    keywords: list[str] = Field(description="The report's own keywords.")
    photo_caption: str
    archive_published_at: str = Field(description="When the archive published it (ISO 8601).")


def _with_tags(name: str, base: type) -> type:
    fields = {
        facet.report_field: (
            (list[TagRef], Field(description=f"{facet.plural}."))
            if facet.many
            else (TermRef | None, Field(description=f"{facet.title}, or null."))
        )
        for facet in TERMS
    }
    return create_model(name, __base__=base, **fields)


ReportSummary = _with_tags("ReportSummary", _ReportFields)


class Correction(Schema):
    date: str
    note: str


class Report(ReportSummary):
    """A report's metadata, text and corrections: also each record of an export."""

    body: str = Field(description="Plain text; paragraphs separated by a blank line.")
    corrections: list[Correction]


class SearchHit(ReportSummary):
    snippet: str = Field(description="HTML: the passage matched, words in <mark>, escaped.")


class FacetValue(Schema):
    value: str
    label: str
    count: int
    selected: bool
    parent: str | None = Field(description="For a tree (regions): the value it lies in.")
    toggle_url: str = Field(description="This search with the value added, or removed.")


class Facet(Schema):
    title: str
    values: list[FacetValue]


class Bar(Schema):
    year: str
    count: int


class Suggestion(Schema):
    text: str
    url: str


class ShowingResultsFor(Schema):
    text: str = Field(description="The correction whose results are shown.")
    searched_for: str = Field(description="What was typed.")
    search_instead_url: str = Field(description="The words as typed, not corrected.")


class QueryEcho(Schema):
    q: str
    filters: dict[str, list[str]]
    date_from: str | None = Field(alias="from")
    date_to: str | None = Field(alias="to")
    sort: str
    page: int
    exact: bool


class SearchLinks(Schema):
    self: str
    first: str
    last: str
    next: str | None
    previous: str | None
    page: str = Field(description="The same search on the site.")
    csv: str
    jsonl: str
    bibtex: str
    ris: str
    csl_json: str


class SearchResponse(Schema):
    query: QueryEcho = Field(description="The search as understood, after cleaning.")
    messages: list[str] = Field(description="What was changed or left out, as the page says.")
    total: int
    page: int
    num_pages: int
    per_page: int
    results: list[SearchHit]
    partial: list[SearchHit] = Field(description="Few results: reports matching most words.")
    facets: dict[str, Facet]
    histogram: list[Bar] = Field(description="Results by year; undated ones are not in it.")
    undated: int
    also_searched: list[str] = Field(description="Other names of the terms named.")
    did_you_mean: Suggestion | None
    showing_results_for: ShowingResultsFor | None
    links: SearchLinks


class Alias(Schema):
    name: str
    kind: str
    kind_label: str
    used_from: int | None
    used_until: int | None
    ambiguous: bool = Field(description="Shared with other things: never widens a search.")
    note: str


class Term(Schema):
    slug: str
    name: str
    url: str | None = Field(description="Its page; null while no published report uses it.")
    parent: str | None
    kind: str
    description: str
    report_count: int = Field(description="Published reports (a region's include its places).")
    aliases: list[Alias]


class Vocabulary(Schema):
    name: str = Field(description="Also the search parameter, e.g. ?region=ryanggang.")
    title: str
    plural: str
    tree: bool
    url: str
    terms: list[Term]


class VocabularyEntry(Schema):
    name: str
    title: str
    plural: str
    tree: bool
    url: str
    term_count: int


class Vocabularies(Schema):
    vocabularies: list[VocabularyEntry]


class PartialDate(ReportDate):
    """Only what is known: a part not known is null, never guessed."""


class IncidentSummary(Schema):
    slug: str
    url: str = Field(description="The incident's page.")
    api_url: str
    title: str
    summary: str
    began: PartialDate
    ended: PartialDate
    regions: list[TermRef]
    independent_sources: int = Field(
        description="Distinct origins among its published reports: reports passing on one "
        "origin (wire copies, re-reports) count once."
    )
    report_count: int = Field(description="Its published reports.")


class IncidentReport(Schema):
    slug: str
    headline: str
    url: str
    api_url: str
    date: ReportDate
    stance: str = Field(description="reports | adds | disputes | corrects")
    origin_kind: str = Field(
        description="own-source | defector | state-media | imagery | document | "
        "other-outlet | unknown"
    )
    origin: str = Field(description="Whose information it passes on; empty: its own outlet's.")
    note: str


class Incident(IncidentSummary):
    agencies: list[TermRef]
    people: list[TermRef]
    topics: list[TermRef]
    source_kinds: dict[str, int] = Field(description="Independent sources by kind of origin.")
    first_reported: PartialDate | None = Field(description="Its earliest report's date, as stated.")
    latest_reported: PartialDate | None
    reports: list[IncidentReport] = Field(description="Its published reports, oldest first.")
    truncated: bool = Field(
        description="More published reports than a record lists (2,000): the first ones only."
    )


class IncidentList(Schema):
    total: int
    page: int
    pages: int
    incidents: list[IncidentSummary]


class Index(Schema):
    title: str
    version: str
    search: str
    report: str = Field(description="A URL template: put a report's slug in {slug}.")
    incidents: str
    vocabularies: str
    openapi: str
    docs: str
