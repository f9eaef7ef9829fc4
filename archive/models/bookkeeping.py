"""Rows the archive keeps about itself: the search outbox, the indexer, the vocabulary version."""

import datetime
import functools
import secrets
from collections.abc import Iterable

from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(processed=None)


class IndexChangeManager(models.Manager.from_queryset(IndexChangeQuerySet)):
    def enqueue(self, report_ids: Iterable[int]) -> None:
        """Queue reports for the indexer, in the caller's transaction (each id once)."""
        now = timezone.now()
        self.bulk_create(
            [self.model(report_id=pk, created=now) for pk in dict.fromkeys(report_ids)]
        )

    def any_pending(self) -> bool:
        """Whether any change waits for the indexer.

        Every search asks, usually to learn that none does: the query is built
        once a database, and asked again as SQL, in a tenth of the time the ORM
        took to build it each time.
        """
        sql, params = _pending_sql(self.model, self.db)
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() is not None


@functools.cache
def _pending_sql(model, db: str) -> tuple[str, tuple]:
    query = model.objects.pending().order_by().values_list("pk")[:1].query
    return query.get_compiler(using=db).as_sql()


class IndexChange(models.Model):
    """A report whose search index entry must be brought up to date (the outbox).

    Written in the same transaction as the change itself, so a change is
    never lost; the indexer decides from the database what the entry should
    be (present if published, absent otherwise) and marks the row processed.
    """

    report_id = models.BigIntegerField(_("report id"), db_index=True)
    created = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    processed = models.DateTimeField(_("applied at"), null=True, blank=True, db_index=True)

    objects = IndexChangeManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("search index change")
        verbose_name_plural = _("search index changes")

    def __str__(self):
        return f"report {self.report_id} queued {self.created:%Y-%m-%d %H:%M:%S}"


class IndexerState(models.Model):
    """One row: when the indexer last ran and how far scheduled reports are checked."""

    heartbeat = models.DateTimeField(_("last seen"), null=True)
    scheduled_checked = models.DateTimeField(_("scheduled reports checked up to"), null=True)

    class Meta:
        verbose_name = _("indexer state")

    def __str__(self):
        return f"indexer, last seen {self.heartbeat}"

    @classmethod
    def due_since(cls, now, checked=None):
        """Scheduled reports that fell due after this are still to be looked at."""
        if checked is None:
            checked = cls.objects.filter(pk=1).values_list("scheduled_checked", flat=True).first()
        return checked or now - datetime.timedelta(days=1)


# Changes to the vocabulary this process made that other processes may not see
# yet (an uncommitted transaction, or a test's).
_changed_here = 0


class VocabularyStateManager(models.Manager):
    def version(self) -> tuple[int | None, int]:
        """The vocabulary's version as this process sees it: the stored version, and
        the changes made here since."""
        return self.values_list("version", flat=True).first(), _changed_here

    def changes_here(self) -> int:
        return _changed_here

    def bump(self) -> None:
        """Give the vocabulary a new version now, so that every process re-reads it.

        The version is random rather than counted: a rolled-back transaction
        cannot bring back a number some process already holds.
        """
        version = secrets.randbits(62)
        if not self.filter(pk=1).update(version=version):
            self.update_or_create(pk=1, defaults={"version": version})

    def bump_on_commit(self, using: str = "default") -> None:
        """Bump once when the current transaction commits, however many rows it changed.

        A fixture of 2,000 names is one change, not 2,000. This process sees
        the change at once; other processes once it is committed.
        """
        global _changed_here
        _changed_here += 1
        connection = transaction.get_connection(using)
        # Bound methods of the one manager compare equal: queue the bump once.
        if not any(callback == self._bump_now for _, callback, _ in connection.run_on_commit):
            transaction.on_commit(self._bump_now, using=using)

    def _bump_now(self) -> None:
        self.bump()


class VocabularyState(models.Model):
    """One row whose version changes with every change to a term or an alias.

    Each process keeps the names of all terms in memory and re-reads them
    when the version moves, so an alias added in the admin is searched at once.
    """

    version = models.PositiveBigIntegerField(default=0)

    objects = VocabularyStateManager()

    class Meta:
        verbose_name = _("vocabulary state")

    def __str__(self):
        return f"vocabulary version {self.version}"
