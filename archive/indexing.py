"""Keeping the search index in step with the database.

Every change that can alter a report's index entry queues the report in the
``IndexChange`` outbox, inside the same database transaction as the change:
saves and deletes (signals), tag changes (``m2m_changed``), bulk updates
(``ReportQuerySet.update``) and renamed or moved vocabulary terms. Saving
never touches the index and never waits on it. One indexer process applies
the queue in batches with a single writer (``manage.py run_indexer``).
"""

import datetime
import logging
import time
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Min
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from haystack import connections

from .models import Agency, IndexChange, IndexerState, Region, Report, Source, Topic

log = logging.getLogger(__name__)
KEEP_PROCESSED = datetime.timedelta(days=7)


def enqueue(report_ids: Iterable[int]) -> None:
    now = timezone.now()
    IndexChange.objects.bulk_create(
        [IndexChange(report_id=pk, created=now) for pk in dict.fromkeys(report_ids)]
    )


# --- What queues a report ---------------------------------------------------


@receiver(post_save, sender=Report)
@receiver(post_delete, sender=Report)
def _report_changed(sender, instance, **kwargs):
    enqueue([instance.pk])


@receiver(m2m_changed, sender=Report.regions.through)
@receiver(m2m_changed, sender=Report.agencies.through)
@receiver(m2m_changed, sender=Report.topics.through)
def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # After the clear the term has no reports left to look up: note them now.
        column = f"{instance._meta.model_name}_id"  # region_id, agency_id, topic_id
        instance._cleared_reports = list(
            sender.objects.filter(**{column: instance.pk}).values_list("report_id", flat=True)
        )
    if not action.startswith("post_"):
        return
    if not reverse:
        enqueue([instance.pk])
    elif pk_set is not None:
        enqueue(pk_set)
    else:
        enqueue(getattr(instance, "_cleared_reports", []))


TERM_MODELS = (Region, Agency, Topic, Source)


def _reports_of(term) -> list[int]:
    """Reports whose index entry shows this term."""
    return list(Report.objects.tagged_with(term).values_list("pk", flat=True))


def _term_identity(term) -> tuple:
    """What the index shows of a term: slug and tree for facets, names for the text."""
    return (
        term.slug,
        term.name,
        getattr(term, "abbreviation", None),
        getattr(term, "parent_id", None),
    )


def _remember_identity(sender, instance, **kwargs):
    if instance.pk and not kwargs.get("raw"):
        old = sender.objects.filter(pk=instance.pk).first()
        instance._indexed_identity = _term_identity(old) if old else None


def _term_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_indexed_identity", None)
    if not created and before is not None and before != _term_identity(instance):
        enqueue(_reports_of(instance))


def _term_deleting(sender, instance, **kwargs):
    instance._indexed_reports = _reports_of(instance)


def _term_deleted(sender, instance, **kwargs):
    enqueue(getattr(instance, "_indexed_reports", []))


for _model in TERM_MODELS:
    pre_save.connect(_remember_identity, sender=_model, dispatch_uid=f"index-pre-{_model}")
    post_save.connect(_term_saved, sender=_model, dispatch_uid=f"index-post-{_model}")
    pre_delete.connect(_term_deleting, sender=_model, dispatch_uid=f"index-predel-{_model}")
    post_delete.connect(_term_deleted, sender=_model, dispatch_uid=f"index-del-{_model}")


# --- Applying the queue -----------------------------------------------------


def report_index():
    return connections["default"].get_unified_index().get_index(Report)


def identifier(report_id: int) -> str:
    return f"archive.report.{report_id}"


def apply_batch(batch_size: int = 500) -> int:
    """Apply up to ``batch_size`` queued changes; return how many were applied.

    Raises ``IndexBusy`` (and applies nothing) when the index is locked. A
    crash at any point loses nothing: rows are marked applied only after the
    index committed, and applying a row twice gives the same entry.
    """
    _queue_reports_that_came_due()
    rows = list(
        IndexChange.objects.filter(processed=None)
        .order_by("pk")[:batch_size]
        .values_list("pk", "report_id")
    )
    if not rows:
        return 0
    report_ids = {report_id for _, report_id in rows}
    index = report_index()
    index.reset_caches()
    published = list(index.index_queryset().filter(pk__in=report_ids))
    gone = report_ids - {report.pk for report in published}
    backend = connections["default"].get_backend()
    backend.write(index, updates=published, deletes=[identifier(pk) for pk in gone])
    IndexChange.objects.filter(pk__in=[pk for pk, _ in rows]).update(processed=timezone.now())
    return len(rows)


def _queue_reports_that_came_due() -> None:
    """Scheduled reports whose time has come since the last look are queued."""
    now = timezone.now()
    with transaction.atomic():
        state, _ = IndexerState.objects.select_for_update().get_or_create(pk=1)
        since = state.scheduled_checked or now - datetime.timedelta(days=1)
        due = Report.objects.filter(
            status=Report.Status.PUBLISHED, publish_at__gt=since, publish_at__lte=now
        ).values_list("pk", flat=True)
        enqueue(due)
        state.scheduled_checked = now
        state.heartbeat = now
        state.save()


def run(interval: float = 1.0, batch_size: int = 500, stop=lambda: False) -> None:
    """Apply the queue until ``stop()`` is true, sleeping when there is nothing to do."""
    last_purge = 0.0
    while not stop():
        try:
            applied = apply_batch(batch_size)
        except Exception as exc:
            log.warning("search indexer: %s; will retry", exc)
            applied = 0
        if time.monotonic() - last_purge > 3600:
            IndexChange.objects.filter(processed__lt=timezone.now() - KEEP_PROCESSED).delete()
            last_purge = time.monotonic()
        if not applied:
            time.sleep(interval)


def status() -> dict:
    """The indexer's lag, for the admin and the health endpoint."""
    now = timezone.now()
    pending = IndexChange.objects.filter(processed=None).aggregate(
        oldest=Min("created"), newest=Max("created")
    )
    count = IndexChange.objects.filter(processed=None).count()
    state = IndexerState.objects.filter(pk=1).first()
    heartbeat = state.heartbeat if state else None
    return {
        "pending": count,
        "oldest_pending_seconds": (now - pending["oldest"]).total_seconds()
        if pending["oldest"]
        else 0.0,
        "last_seen_seconds": (now - heartbeat).total_seconds() if heartbeat else None,
    }


def changes_since(last_pk: int) -> list[int]:
    return list(
        IndexChange.objects.filter(pk__gt=last_pk).values_list("report_id", flat=True).distinct()
    )


def last_change_pk() -> int:
    return IndexChange.objects.aggregate(last=Max("pk"))["last"] or 0


def disagreements() -> dict[str, list[int]]:
    """Reports whose index entry is missing, present though not public, or stale.

    Each entry's stored fingerprint is compared with the one the indexer
    would write now from the database.
    """
    indexed = connections["default"].get_backend().indexed_stamps()
    index = report_index()
    index.reset_caches()
    expected = {
        report.pk: index.full_prepare(report)["stamp"]
        for report in index.index_queryset().iterator(chunk_size=1000)
    }
    return {
        "missing": sorted(set(expected) - set(indexed)),
        "not public": sorted(set(indexed) - set(expected)),
        "stale": sorted(pk for pk in set(expected) & set(indexed) if expected[pk] != indexed[pk]),
    }
