"""Applying the search outbox to the index, and measuring how far behind it is.

Every change that can alter a report's index entry queues the report in the
``IndexChange`` outbox, inside the same database transaction as the change
(see ``archive.signals`` and the models' bulk updates). Saving never touches
the index and never waits on it. One indexer process applies the queue in
batches with a single writer (``manage.py run_indexer``).
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from haystack import connections

from ..models import Incident, IndexChange, IndexerState, Report
from ..search_backend import engine

log = logging.getLogger(__name__)
KEEP_PROCESSED = datetime.timedelta(days=7)


# --- Applying the queue -----------------------------------------------------


def report_index():
    return connections["default"].get_unified_index().get_index(Report)


def apply_batch(batch_size: int = 500) -> int:
    """Apply up to ``batch_size`` queued changes; return how many were applied. A queue
    long enough (``_worth_a_rebuild``) is applied whole, by ``rebuild``.

    Raises ``IndexBusy`` (and applies nothing) when the index is locked. A
    crash at any point loses nothing: rows are marked applied only after the
    index committed, and applying a row twice gives the same entry.
    """
    _queue_reports_that_came_due()
    if _worth_a_rebuild():
        return max(rebuild().covered, 1)
    rows = list(
        IndexChange.objects.pending().order_by("pk")[:batch_size].values_list("pk", "report_id")
    )
    if not rows:
        return 0
    report_ids = {report_id for _, report_id in rows}
    index = report_index()
    index.reset_caches()
    published = list(index.index_queryset().filter(pk__in=report_ids))
    gone = report_ids - {report.pk for report in published}
    engine().write(index, updates=published, deletes=sorted(gone))
    IndexChange.objects.filter(pk__in=[pk for pk, _ in rows]).update(processed=timezone.now())
    return len(rows)


def _worth_a_rebuild() -> bool:
    """A queue of ``ARCHIVE_INDEX_REBUILD_AT`` changes or more, and at least a quarter
    of the index: building a fresh index is faster than applying it batch by batch
    (each batch a new segment, the old entries deleted, segments merged again and
    again), and leaves the index compact."""
    pending = IndexChange.objects.pending()
    if not pending[settings.ARCHIVE_INDEX_REBUILD_AT - 1 : settings.ARCHIVE_INDEX_REBUILD_AT]:
        return False  # fewer than that: not counted
    return 4 * pending.count() >= engine().document_count()


def _queue_reports_that_came_due() -> None:
    """Scheduled reports whose time has come since the last look are queued.

    Only those last saved before their time: a report saved once it was due
    (published now, or imported as published) was queued by that save, and
    queueing it again would index it twice.
    """
    now = timezone.now()
    with transaction.atomic():
        state, _ = IndexerState.objects.select_for_update().get_or_create(pk=1)
        since = IndexerState.due_since(now, state.scheduled_checked)
        came = Report.objects.filter(
            status=Report.Status.PUBLISHED, publish_at__gt=since, publish_at__lte=now
        )
        due = came.filter(updated__lt=F("publish_at")).values_list("pk", flat=True)
        IndexChange.objects.enqueue(due)
        # Their incidents count them now, also those touched since (a retag stamps
        # ``updated`` without recounting).
        Incident.objects.of_reports(came.values_list("pk", flat=True)).recount()
        state.scheduled_checked = now
        state.heartbeat = now
        state.save()


def run(interval: float = 1.0, batch_size: int = 500, stop=lambda: False, chores=()) -> None:
    """Apply the queue until ``stop()`` is true, sleeping when there is nothing to do;
    each turn also does ``chores`` (callables: the queued mails of search alerts)."""
    last_purge = 0.0
    while not stop():
        try:
            applied = apply_batch(batch_size)
        except Exception as exc:
            log.warning("search indexer: %s; will retry", exc)
            applied = 0
        for chore in chores:
            try:
                chore()
            except Exception as exc:
                log.warning("search indexer: %s failed: %s; will retry", chore.__name__, exc)
        if time.monotonic() - last_purge > 3600:
            IndexChange.objects.filter(processed__lt=timezone.now() - KEEP_PROCESSED).delete()
            last_purge = time.monotonic()
        if not applied:
            time.sleep(interval)


def status() -> dict:
    """The indexer's lag, for the admin and the health endpoint."""
    now = timezone.now()
    pending = IndexChange.objects.pending().aggregate(oldest=Min("created"), newest=Max("created"))
    count = IndexChange.objects.pending().count()
    state = IndexerState.objects.filter(pk=1).first()
    heartbeat = state.heartbeat if state else None
    return {
        "pending": count,
        "oldest_pending_seconds": (now - pending["oldest"]).total_seconds()
        if pending["oldest"]
        else 0.0,
        "last_seen_seconds": (now - heartbeat).total_seconds() if heartbeat else None,
    }


def behind(lag: dict) -> bool:
    """Whether readers would notice the indexer's lag (``status()``): more changes
    waiting than ``ARCHIVE_HEALTH_MAX_PENDING``, the oldest waiting longer than
    ``ARCHIVE_HEALTH_MAX_LAG`` seconds, or the indexer not seen for that long
    (scheduled reports wait for it too)."""
    limit = settings.ARCHIVE_HEALTH_MAX_LAG
    last_seen = lag["last_seen_seconds"]
    return (
        lag["pending"] > settings.ARCHIVE_HEALTH_MAX_PENDING
        or lag["oldest_pending_seconds"] > limit
        or (last_seen is not None and last_seen > limit)
    )


# --- Rebuilding ------------------------------------------------------------


@dataclass
class Rebuilt:
    folder: Path
    total: int  # reports indexed
    covered: int  # queued changes the rebuild covered, marked done
    queued_again: int  # changes applied to the old index meanwhile, queued again


def rebuild(progress: Callable[[int, int], None] | None = None) -> Rebuilt:
    """Build a fresh index from the database beside the live one and switch to it.

    Changes queued before the build began reading the database are in the
    new index: they are marked done, so the indexer does not redo them (an
    import's thousands would delay every edit made after it). Changes
    queued later stay queued; those the indexer applied meanwhile went into
    the old index and are queued again.
    """
    backend = engine()
    index = report_index()
    index.reset_caches()
    started = timezone.now()
    # Committed, so their changes are in what the build reads next.
    covered = list(IndexChange.objects.pending().values_list("pk", flat=True))
    last_seen = last_change_pk()
    reports = index.index_queryset().order_by("pk")
    total = reports.count()
    each = (lambda done: progress(done, total)) if progress else None
    folder = backend.build_generation(index, reports.iterator(chunk_size=1000), each)
    backend.switch_to(folder)
    covered_set = set(covered)
    meanwhile = (
        IndexChange.objects.filter(processed__isnull=False)
        .filter(Q(pk__gt=last_seen) | Q(processed__gte=started))
        .values_list("pk", "report_id")
    )
    again = [report_id for pk, report_id in meanwhile if pk not in covered_set]
    IndexChange.objects.enqueue(again)
    marked = 0
    for start in range(0, len(covered), 500):  # within every database's limit of parameters
        chunk = IndexChange.objects.pending().filter(pk__in=covered[start : start + 500])
        marked += chunk.update(processed=timezone.now())
    return Rebuilt(folder, total, marked, len(set(again)))


def last_change_pk() -> int:
    return IndexChange.objects.aggregate(last=Max("pk"))["last"] or 0


def disagreements() -> dict[str, list[int]]:
    """Reports whose index entry is missing, present though not public, or stale.

    Each entry's stored fingerprint is compared with the one the indexer
    would write now from the database.
    """
    indexed = engine().indexed_stamps()
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
