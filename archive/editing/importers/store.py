"""Writing parsed records to the database, one file per transaction."""

import collections
import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from ...common.text import short_slug
from ...facets import FACETS, TERMS
from ...models import IndexChange, Report, ReportVersion, TagSuggestion
from ...names.vocabulary import current as current_vocabulary
from .. import duplicates
from ..tagging import SUGGESTED, add_automatic_tags, new_suggestions_of_many
from . import scraped
from .files import read_file
from .records import ImportedRecord, RecordProblem

BATCH_SIZE = 500
SLUG_LENGTH = 80
LIMITED_FIELDS = [
    "headline",
    "dek",
    "photo_caption",
    "original_url",
    "korean_url",
    "reporter",
    "translator",
    "editor",
    "keywords",
    "sections",
]


@dataclass
class FileResult:
    path: str
    created: int = 0
    skipped: int = 0
    duplicates: int = 0  # the same story as a report there already, or earlier in the file
    in_review: int = 0
    tagged_automatically: int = 0
    review_reasons: collections.Counter = field(default_factory=collections.Counter)
    # Topic names the archive does not have, kept as the source's sections: name -> reports.
    sections_kept: collections.Counter = field(default_factory=collections.Counter)
    suggested: int = 0  # tags suggested from the text, awaiting editors
    problems: list[RecordProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


class _Rollback(Exception):
    pass


class TagResolver:
    """Finds the terms a record names, by slug, name, abbreviation or any other name.

    Vocabularies the importer may extend (``Facet.created_by_import``: sources;
    topics with ``create_topics``) get a new term for an unknown name. An
    unknown topic is otherwise kept as one of the source's own sections (a
    site's "Top News" is no topic); for the other vocabularies (places,
    agencies, people) an unknown name is a problem with the record.
    """

    def __init__(self, create_topics: bool = False):
        self.by_name = {facet.name: self._index(facet.model) for facet in TERMS}
        self.create_topics = create_topics

    @staticmethod
    def _index(model) -> dict:
        attributes = [a for a in ("slug", "name", "abbreviation") if hasattr(model, a)]
        index = {}
        for term in model.objects.all():
            for attribute in attributes:
                value = getattr(term, attribute)
                if value:
                    index.setdefault(value.casefold(), term)
        return index

    def resolve(self, record: ImportedRecord) -> tuple[dict, list[str], list[str]]:
        """The record's terms by Report field, what could not be resolved, and the topic
        names kept as sections."""
        unknown, terms, sections = [], {}, []
        for facet in TERMS:
            names = record.tags.get(facet.report_field, []) if facet.many else [record.source]
            found = []
            for name in filter(None, names):
                term = self._find(facet, name)
                if term is not None:
                    found.append(term)
                elif facet.name == "topic":
                    sections.append(name)
                else:
                    unknown.append(f"unknown {facet.name} “{name}”: add it to the vocabulary first")
            terms[facet.report_field] = found if facet.many else (found[0] if found else None)
        return terms, unknown, sections

    def _find(self, facet, name: str):
        index = self.by_name[facet.name]
        term = index.get(name.casefold())
        if term is None and facet.alias_model is not None:
            # “North Hamkyung” is North Hamgyong, “Bowibu” the Ministry of State Security.
            entry = current_vocabulary().resolve(facet.name, name)
            if entry is not None:
                term = index[name.casefold()] = index[entry.slug]
        if term is None and (
            facet.created_by_import or (facet.name == "topic" and self.create_topics)
        ):
            term = self._create(facet.model, index, name)
        return term

    @staticmethod
    def _create(model, index: dict, name: str):
        # Names in Korean script slugify to nothing: give them a stable slug of their own.
        digest = hashlib.sha1(name.encode()).hexdigest()[:10]
        slug = short_slug(name, 80) or f"{model._meta.model_name}-{digest}"
        term, _ = model.objects.get_or_create(slug=slug, defaults={"name": name})
        index[name.casefold()] = index[slug] = term
        return term


class SlugBook:
    """Hands out unique slugs; an explicitly given slug that is taken is an error."""

    def __init__(self):
        self.taken = set(Report.objects.values_list("slug", flat=True))

    def claim(self, record: ImportedRecord) -> str:
        if record.slug:
            if slugify(record.slug) != record.slug or len(record.slug) > SLUG_LENGTH:
                raise ValueError(
                    f"malformed slug “{record.slug[:100]}”: use at most {SLUG_LENGTH} "
                    "lower-case letters, digits and hyphens"
                )
            if record.slug in self.taken:
                raise ValueError(f"duplicate slug “{record.slug}”: another report has it")
            self.taken.add(record.slug)
            return record.slug
        words = record.headline or " ".join(record.body.split()[:8])
        base = short_slug(words, SLUG_LENGTH) or "report"
        first = [base, f"{base}-{record.date.year}"] if record.date.year else [base]
        numbered = (f"{base}-{n}" for n in range(2, 10_000))  # made only as far as needed
        slug = next(c for c in itertools.chain(first, numbered) if c not in self.taken)
        self.taken.add(slug)
        return slug


def import_file(
    path: Path,
    status: str = Report.Status.DRAFT,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    follow_symlinks: bool = False,
    create_topics: bool = False,
    keep_duplicates: bool = False,
) -> FileResult:
    """Import one file: everything in it, or (on any problem) nothing. Topic names the
    archive does not have become new topics with ``create_topics``, and are otherwise
    kept as the source's sections. A record that is the same story as a report already
    there (``duplicates``) is skipped and named, unless ``keep_duplicates``."""
    records, problems = read_file(path, follow_symlinks=follow_symlinks)
    return _import(
        FileResult(path=str(path), problems=problems),
        records,
        status,
        dry_run,
        progress,
        create_topics,
        keep_duplicates,
    )


def import_text(text: str, name: str, status: str = Report.Status.DRAFT) -> FileResult:
    """Import one raw report given as text (pasted in the admin), as a scraped text file
    is imported: the same cleaning, fields, tags, suggestions and duplicate checks."""
    records, problems = scraped.parse(text, name)
    return _import(FileResult(path=name, problems=problems), records, status)


def _import(
    result: FileResult,
    records,
    status: str,
    dry_run=False,
    progress=None,
    create_topics=False,
    keep_duplicates=False,
) -> FileResult:
    try:
        with transaction.atomic():
            _write(records, result, status, progress, create_topics, keep_duplicates)
            if result.problems or dry_run:
                raise _Rollback
    except _Rollback:
        if result.problems:
            result.created = result.in_review = result.tagged_automatically = 0
            result.review_reasons.clear()
            result.sections_kept.clear()
    return result


def _write(
    records, result: FileResult, status: str, progress, create_topics=False, keep=False
) -> None:
    resolver, slugs, seen = TagResolver(create_topics), SlugBook(), duplicates.Seen()
    keys = set(Report.objects.filter(import_key__isnull=False).values_list("import_key", flat=True))
    first_of_key: dict[str, ImportedRecord] = {}
    pending: list[tuple[Report, dict]] = []
    for done, record in enumerate(records, start=1):
        if progress:
            progress(done, len(records))
        where = f"{record.path}:{record.line}" if record.line else record.path
        if record.import_key not in keys and _repeats(record, seen, result, where, keep):
            continue
        if record.import_key in keys:
            result.skipped += 1
            first = first_of_key.get(record.import_key)
            if first is not None:
                same = (first.headline, first.body) == (record.headline, record.body)
                what = "same record" if same else "same id or address but another text"
                result.notices.append(
                    f"{record.path}:{record.line}: {what} as line {first.line}, skipped"
                    + ("" if same else " (give each version its own “id” to keep both)")
                )
            continue
        terms, messages, sections = resolver.resolve(record)
        record.sections = list(dict.fromkeys([*record.sections, *sections]))
        result.sections_kept.update(sections)
        messages += _too_long(record, create_topics)
        try:
            slug = slugs.claim(record)
        except ValueError as exc:
            messages.append(str(exc))
        if messages:
            result.problems += [RecordProblem(record.path, record.line, m) for m in messages]
            continue
        keys.add(record.import_key)
        first_of_key[record.import_key] = record
        seen.add(f"line {record.line}" if record.line else record.path, *_identity(record))
        result.notices += [f"{where}: {notice}" for notice in record.notices]
        report = _report(record, slug, status, terms["source"])
        if report.status == Report.Status.IN_REVIEW:
            result.in_review += 1
            result.review_reasons.update(record.missing)
        pending.append((report, terms))
        if len(pending) >= BATCH_SIZE:
            _flush(pending, result)
    _flush(pending, result)
    result.created = len(first_of_key)


def _identity(record: ImportedRecord) -> tuple:
    date = (record.date.year, record.date.month, record.date.day)
    return record.original_url, record.headline, date, record.body


def _repeats(record: ImportedRecord, seen, result: FileResult, where: str, keep: bool) -> bool:
    """Whether the record is the same story as one seen (then it is skipped, unless
    ``keep``); either way, a likely repeat is named in the notices."""
    matches = seen.matches(*_identity(record))
    if not matches:
        return False
    best = matches[0]
    if best.same_story and not keep:
        result.duplicates += 1
        result.notices.append(
            f"{where}: the same story as {best}; skipped (--keep-duplicates imports it)"
        )
        return True
    what = "imported although it is the same story as" if best.same_story else "imported; compare"
    result.notices.append(f"{where}: {what} {best}")
    return False


def _too_long(record: ImportedRecord, create_topics: bool = False) -> list[str]:
    """Fields too long for the archive: refused, never cut short."""
    problems = []
    term_limit = Report._meta.get_field("source").related_model._meta.get_field("name").max_length
    created = [f for f in TERMS if f.created_by_import]  # their names become new terms
    if create_topics:
        created.append(FACETS["topic"])
    new_names = [
        name
        for facet in created
        for name in (record.tags.get(facet.report_field, []) if facet.many else [record.source])
    ]
    for name in new_names:
        if len(name) > term_limit:
            problems.append(f"the name “{name[:40]}…” is longer than {term_limit} characters")
    key_limit = Report._meta.get_field("import_key").max_length
    if len(record.import_key) > key_limit:
        problems.append(f"the id or address is longer than {key_limit - 20} characters")
    for name in LIMITED_FIELDS:
        value = getattr(record, name)
        value = ", ".join(value) if isinstance(value, list) else value
        limit = Report._meta.get_field(name).max_length
        if len(value) > limit:
            problems.append(f"{name} is {len(value)} characters long (at most {limit})")
    limit = settings.ARCHIVE_MAX_BODY_LENGTH
    if len(record.body) > limit:
        problems.append(f"body is {len(record.body):,} characters long (at most {limit:,})")
    return problems


def _report(record: ImportedRecord, slug: str, status: str, source) -> Report:
    missing = record.missing
    where = f"Imported from {Path(record.path).name}"
    notes = [where + (f", line {record.line}." if record.line else ".")]
    if missing:
        notes.append("Missing from the raw text: " + ", ".join(missing) + ".")
        status = Report.Status.IN_REVIEW
    if record.stripped:
        notes.append("Removed as page furniture: " + " | ".join(record.stripped))
    notes += [f"{notice[0].upper()}{notice[1:]}." for notice in record.notices]
    if record.kept_apart:
        notes.append(f"The editor's summary that came before the text: {record.kept_apart}")
    date = record.date
    return Report(
        headline=record.headline,
        slug=slug,
        dek=record.dek,
        body=record.body,
        photo_caption=record.photo_caption,
        pub_year=date.year,
        pub_month=date.month,
        pub_day=date.day,
        pub_time=record.time,
        pub_date=date.sort_date(),
        source=source,
        original_url=record.original_url,
        korean_url=record.korean_url,
        reporter=record.reporter,
        translator=record.translator,
        editor=record.editor,
        keywords=", ".join(record.keywords),
        sections=", ".join(record.sections),
        language=record.language,
        status=status,
        editor_notes=" ".join(notes),
        import_key=record.import_key,
    )


def _flush(pending: list[tuple[Report, dict]], result: FileResult) -> None:
    if not pending:
        return
    with ReportVersion.objects.one_change():  # each report's first version, tags and all
        _store(pending, result)
    pending.clear()


def _store(pending: list[tuple[Report, dict]], result: FileResult) -> None:
    reports = Report.objects.bulk_create([report for report, _ in pending])
    for facet in TERMS:
        if not facet.many:
            continue
        field = Report._meta.get_field(facet.report_field)
        through = field.remote_field.through
        column = field.m2m_reverse_field_name()  # e.g. region
        links = [
            through(report_id=report.pk, **{f"{column}_id": term.pk})
            for report, (_, terms) in zip(reports, pending, strict=True)
            for term in dict.fromkeys(terms[facet.report_field])
        ]
        through.objects.bulk_create(links)
    # The terms the text names: tagged at once by an automatic rule, or for an editor to
    # accept or reject.
    names = current_vocabulary()
    suggestions = new_suggestions_of_many(
        [
            (report, {(f.name, t.pk) for f in SUGGESTED for t in terms[f.report_field]})
            for report, (_, terms) in zip(reports, pending, strict=True)
        ],
        names,
    )
    TagSuggestion.objects.bulk_create(suggestions)
    automatic = add_automatic_tags(suggestions, queue=False)  # all are queued below
    result.tagged_automatically += automatic
    result.suggested += len(suggestions) - automatic
    # bulk_create sends no signals: queue what the public may see for the indexer, in
    # the file's order, and give each published report its first version (its tags
    # included).
    published = [report.pk for report in reports if report.status == Report.Status.PUBLISHED]
    IndexChange.objects.enqueue(published)
    ReportVersion.objects.changed(published)
