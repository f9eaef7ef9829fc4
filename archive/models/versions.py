"""Versions of reports as readers saw them: what a citation by version number points to.

A version is a snapshot of a report's public fields (text, date, credits,
source and tags) taken in the same transaction as the change that made it,
numbered from 1 for each report. A new version is recorded only when what
readers see changes while the report is public, or when it becomes public
with text they have not seen: saves of drafts, reports in review or
withdrawn reports, and changes to editors' notes, status or import keys,
record nothing. A report scheduled for later gets its next version at once,
dated when it will go public ("pending"); edits before then replace it, and
taking the report off the schedule discards it, so no state readers never
saw is ever shown.

The fingerprint is a SHA-256 of the public fields (terms by their stable
slugs, not their display names, so that renaming a place in the vocabulary
does not alter a report's fingerprint). The names are kept beside it, as
they were.
"""

import contextvars
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .terms import Term

# The report's fields readers see, in the order pages show them. Everything
# else (status, schedule, editors' notes, import key, timestamps) is internal.
PUBLIC_FIELDS = (
    *("headline", "headline_supplied", "dek", "body", "photo_caption"),
    *("pub_year", "pub_month", "pub_day", "pub_time", "date_note"),
    *("original_url", "korean_url", "reporter", "translator", "editor", "keywords"),
)
# Fields an update can change without changing what readers see or when.
INTERNAL_FIELDS = frozenset(
    {"editor_notes", "import_key", "created", "updated", "first_published", "pub_date"}
)
SHORT = 8  # characters of the fingerprint a citation shows
BATCH = 500

# Reports changed inside ``one_change()`` blocks, recorded once when the outermost ends.
_pending_change: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "archive_version_change", default=None
)


def term_fields(report_model) -> tuple[list[str], list[str]]:
    """The report's relations to vocabularies: single (the source) and many (tags).

    Read from the model, so a new vocabulary is versioned without a change here.
    """
    single = [
        f.name
        for f in report_model._meta.fields
        if f.is_relation and f.related_model and issubclass(f.related_model, Term)
    ]
    many = [f.name for f in report_model._meta.many_to_many if issubclass(f.related_model, Term)]
    return single, many


def snapshot(report, single: Iterable[str], many: Iterable[str]) -> dict:
    """The public fields of a report as plain JSON values, terms with slug and name.

    Works on historical models too (the data migration passes the field names).
    """
    content = {}
    for name in PUBLIC_FIELDS:
        value = getattr(report, name)
        content[name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name in single:
        term = getattr(report, name)
        content[name] = {"slug": term.slug, "name": term.name} if term is not None else None
    for name in many:
        terms = getattr(report, name).all()
        content[name] = sorted(
            ({"slug": t.slug, "name": t.name} for t in terms), key=lambda t: t["slug"]
        )
    return content


def fingerprint(content: dict) -> str:
    """SHA-256 of the public fields as canonical JSON, terms reduced to their slugs."""

    def slugs(value):
        if isinstance(value, dict) and "slug" in value:
            return value["slug"]
        if isinstance(value, list):
            return [slugs(item) for item in value]
        return value

    public = {name: slugs(value) for name, value in content.items()}
    encoded = json.dumps(public, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


class ReportVersionQuerySet(models.QuerySet):
    def public(self):
        """Versions readers may see: gone public, of reports that are public now."""
        reports = self.model._meta.get_field("report").related_model.objects.published()
        return self.filter(public_from__lte=timezone.now(), report__in=reports)

    def seen(self):
        """Versions that have gone public (whatever the report's state now)."""
        return self.filter(public_from__lte=timezone.now())


class ReportVersionManager(models.Manager.from_queryset(ReportVersionQuerySet)):
    @contextmanager
    def one_change(self, using: str | None = None) -> Iterator[None]:
        """Everything inside is one change: each report changed gets one version at most.

        An editor's save stores the report, then its tags, then accepted
        suggestions; loading a fixture stores each report, then its tags.
        Inside the block they are noted, and recorded together at its end,
        inside the same transaction (the block is one). Nested blocks join
        the outermost.
        """
        if _pending_change.get() is not None:
            yield
            return
        changed: set[int] = set()
        token = _pending_change.set(changed)
        try:
            with transaction.atomic(using=using):
                yield
                self.record(sorted(changed))
        finally:
            _pending_change.reset(token)

    def changed(self, report_ids: Iterable[int]) -> None:
        """These reports changed: record their versions now, or at the end of the change."""
        pending = _pending_change.get()
        if pending is not None:
            pending.update(report_ids)
        else:
            self.record(report_ids)

    def record(self, report_ids: Iterable[int]) -> None:
        """Bring each report's versions up to date with it, in the caller's transaction.

        Public, or published and scheduled: a new version when the public fields
        differ from the last version readers saw (a pending one is replaced in
        place). Not published: a pending version is discarded.
        """
        ids = list(dict.fromkeys(report_ids))
        report_model = self.model._meta.get_field("report").related_model
        single, many = term_fields(report_model)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            reports = report_model.objects.filter(pk__in=chunk)
            published = list(
                reports.filter(status=report_model.Status.PUBLISHED)
                .select_related(*single)
                .prefetch_related(*many)
            )
            self._record_chunk(chunk, published, single, many)

    def _record_chunk(self, chunk, published, single, many) -> None:
        now = timezone.now()
        seen, pending = {}, {}  # report id -> its last version gone public / not yet
        for version in (
            self.filter(report_id__in=chunk)
            .order_by("report_id", "-number")
            .only("pk", "report_id", "number", "public_from", "fingerprint")
        ):
            if version.public_from > now:
                pending.setdefault(version.report_id, version)
            else:
                seen.setdefault(version.report_id, version)
        published_ids = {report.pk for report in published}
        discard = [v.pk for pk, v in pending.items() if pk not in published_ids]
        created = []
        for report in published:
            content = snapshot(report, single, many)
            stamp = fingerprint(content)
            when = max(report.publish_at, now)
            last, waiting = seen.get(report.pk), pending.get(report.pk)
            if last is not None and last.fingerprint == stamp:
                if waiting is not None:  # the scheduled change was undone
                    discard.append(waiting.pk)
                continue
            if waiting is not None:
                if (waiting.fingerprint, waiting.public_from) != (stamp, when):
                    self.filter(pk=waiting.pk).update(
                        content=content, fingerprint=stamp, public_from=when
                    )
                continue
            number = last.number + 1 if last is not None else 1
            created.append(
                self.model(
                    report=report,
                    number=number,
                    public_from=when,
                    content=content,
                    fingerprint=stamp,
                )
            )
        if discard:
            self.filter(pk__in=discard).delete()
        self.bulk_create(created)


class ReportVersion(models.Model):
    """One state of a report readers saw (or will see at ``public_from``)."""

    report = models.ForeignKey(
        "archive.Report",
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("report"),
    )
    number = models.PositiveIntegerField(_("version"), help_text=_("1 for the first, e.g. 3."))
    public_from = models.DateTimeField(
        _("public from"), db_index=True, help_text=_("When readers could first see it.")
    )
    content = models.JSONField(_("public fields"))
    fingerprint = models.CharField(
        _("fingerprint"), max_length=64, help_text=_("SHA-256 of the public fields.")
    )

    objects = ReportVersionManager()

    class Meta:
        ordering = ["report", "number"]
        get_latest_by = "number"
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="unique_report_version"),
        ]

    def __str__(self):
        return f"{self.report_id} v{self.number} ({self.short_fingerprint})"

    def get_absolute_url(self):
        return reverse(
            "archive:report-version", kwargs={"slug": self.report.slug, "number": self.number}
        )

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:SHORT]
