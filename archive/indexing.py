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

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from haystack import connections

from .models import IndexChange, IndexerState, Report
from .search_backend import engine

log = logging.getLogger(__name__)
KEEP_PROCESSED = datetime.timedelta(days=7)


# --- Applying the queue -----------------------------------------------------


def report_index():
    return connections["default"].get_unified_index().get_index(Report)


def apply_batch(batch_size: int = 500) -> int:
    """Apply up to ``batch_size`` queued changes; return how many were applied.

    Raises ``IndexBusy`` (and applies nothing) when the index is locked. A
    crash at any point loses nothing: rows are marked applied only after the
    index committed, and applying a row twice gives the same entry.
    """
    _queue_reports_that_came_due()
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


def _queue_reports_that_came_due() -> None:
    """Scheduled reports whose time has come since the last look are queued."""
    now = timezone.now()
    with transaction.atomic():
        state, _ = IndexerState.objects.select_for_update().get_or_create(pk=1)
        since = state.scheduled_checked or now - datetime.timedelta(days=1)
        due = Report.objects.filter(
            status=Report.Status.PUBLISHED, publish_at__gt=since, publish_at__lte=now
        ).values_list("pk", flat=True)
        IndexChange.objects.enqueue(due)
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
