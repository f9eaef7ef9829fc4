"""Search alerts: a reader saves a search, confirms by mail, and is mailed its new reports.

- ``request_alert`` (the search page's form): a confirmation mail, at most
  one an hour to one mailbox and a few an hour from one client. The reader
  is told the same whatever happened (mailed, already subscribed, mailed
  recently, the mail server failed), and the mail is queued and sent by the
  indexer's loop (``send_queued_mail``), so neither the page nor its timing
  says who subscribes to what.
- ``send_alerts`` (``manage.py send_alerts``, by cron or beside the
  indexer): reports public for the first time since the last run, once the
  indexer has them, are matched against every confirmed search through
  ``search()`` (published only, newest first) and mailed once.

Every mail carries a one-click unsubscribe link and ``List-Unsubscribe``
headers (RFC 8058). Addresses never reach a log line: subscriptions are
named by their primary key.
"""

import datetime
import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..common.paths import absolute
from ..facets import FACETS
from ..models import (
    CheckedReport,
    IndexChange,
    IndexerState,
    QueuedMail,
    Report,
    ReportVersion,
    Subscription,
)
from ..models.alerts import CONFIRM_WITHIN, digest, mailbox_hour
from ..names import vocabulary
from ..search.form import parse_search
from ..search.links import url_with
from ..search.running import ArchiveQuery, search

log = logging.getLogger(__name__)

HOUR = datetime.timedelta(hours=1)
PER_CLIENT_PER_HOUR = 5  # confirmation mails one network address may cause
LISTED = 20  # reports listed in one alert; the rest are a link away
PAGE = 100  # results read at a time when looking for new reports in a search
MAILED_TEXT = 60  # characters of a reader's words a mail repeats (subject and text)


def saved_query(params: QueryDict) -> str:
    """A search's parameters as kept: cleaned as the search page cleans them, no page or sort."""
    return url_with(parse_search(params).params, drop=("page", "sort")).lstrip("?")


def describe(query: str, text_limit: int | None = None) -> str:
    """A saved search in words: “bowibu” · Region: Hyesan · from 2020-01-01; the words
    searched for quoted, and cut to ``text_limit`` characters (mails carry them)."""
    parsed = parse_search(QueryDict(query)).query
    labels = vocabulary.current().labels
    text = Truncator(parsed.text).chars(text_limit) if text_limit else parsed.text
    parts = [f"“{text}”"] if text else []
    for name, values in parsed.filters.items():
        names = [labels.get(name, {}).get(value, (value,))[0] for value in values]
        parts.append(f"{FACETS[name].title}: {_(' or ').join(names)}")
    if parsed.date_from:
        parts.append(_("from %(date)s") % {"date": parsed.date_from.isoformat()})
    if parsed.date_to:
        parts.append(_("to %(date)s") % {"date": parsed.date_to.isoformat()})
    return " · ".join(parts) or _("all reports")


# --- Asking and confirming ------------------------------------------------------


def request_alert(address: str, query: str, client: str) -> str:
    """Ask for alerts on a saved search: "sent", or "busy" when this client asked too often.

    "sent" also covers nothing to send: a confirmation mailed to the mailbox in
    the last hour, or the search already confirmed for it. The confirmation is
    queued (``QueuedMail``) and mailed by ``send_queued_mail`` outside the
    request, so how long the answer takes says nothing about what happened.
    The mailbox's clock hour is taken atomically in the cache (``cache.add``),
    so two requests at once cannot both mail it, and it counts the mailbox, not
    the spelling: ``Reader+1@…`` and ``r.e.a.d.e.r@…`` are ``reader@…``.
    """
    since = timezone.now() - HOUR
    recent = Subscription.objects.filter(confirm_sent__gte=since)
    if recent.filter(client_digest=digest("client", client)).count() >= PER_CLIENT_PER_HOUR:
        return "busy"
    if recent.filter(address_digest=digest("address", address)).exists():
        return "sent"
    # The clock hour's slot of the mailbox, taken atomically.
    slot = mailbox_hour(address)
    if not cache.add(slot, True, 2 * HOUR.total_seconds()):
        return "sent"
    with transaction.atomic():
        language = (get_language() or "en")[:2]  # the page's: its mails will be in it
        language = language if language in dict(settings.LANGUAGES) else "en"
        subscription, token = Subscription.objects.start(address, query, client, language)
        if token is None:  # already confirmed: nothing mailed, the slot stays free
            cache.delete(slot)
            return "sent"
        confirm_url = absolute(reverse("archive:alert-confirm", args=[token]))
        message = _mail(
            subscription,
            _("Confirm your alert: %(search)s") % {"search": describe(query, MAILED_TEXT)},
            "archive/mail/alert_confirm.txt",
            {"confirm_url": confirm_url, "hours": CONFIRM_WITHIN // HOUR},
        )
        QueuedMail.objects.create(
            subscription=subscription,
            subject=message.subject,
            body=message.body,
            headers=message.extra_headers,
        )
    return "sent"


def send_queued_mail(limit: int = 100) -> tuple[int, int]:
    """Mail the queued confirmations, oldest first: (sent, failed).

    Each is taken off the queue before it is sent (so two senders never both
    send it), outside any transaction (a slow mail server holds no lock). One
    that fails is logged without its address, and its unconfirmed
    subscription is forgotten, so the reader may simply ask again.
    """
    sent = failed = 0
    for mail in QueuedMail.objects.select_related("subscription")[:limit]:
        if not QueuedMail.objects.filter(pk=mail.pk).delete()[0]:
            continue  # another sender took it
        subscription = mail.subscription
        message = EmailMessage(
            subject=mail.subject, body=mail.body, to=[subscription.address], headers=mail.headers
        )
        try:
            message.send()
        except Exception as exc:  # the mail server
            log.error("alerts: a confirmation mail could not be sent: %s", failure(exc))
            if subscription.confirmed is None:
                subscription.delete()  # unconfirmed: nothing of it is kept
            cache.delete(mailbox_hour(subscription.address))
            failed += 1
            continue
        log.info("alerts: confirmation mailed for subscription %s", subscription.pk)
        sent += 1
    return sent, failed


def failure(exc: Exception) -> str:
    """What went wrong in sending, without the message: a refusing mail server's
    message names the address (``SMTPRecipientsRefused`` holds it)."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}" + (f" (SMTP {code})" if code else "")


def _mail(subscription: Subscription, subject: str, template: str, context: dict):
    unsubscribe = absolute(
        reverse("archive:alert-unsubscribe", args=[subscription.unsubscribe_token])
    )
    context = {
        **context,
        "search": describe(subscription.query, MAILED_TEXT),
        "search_url": absolute(reverse("archive:search") + "?" + subscription.query),
        "unsubscribe_url": unsubscribe,
    }
    return EmailMessage(
        subject=Truncator(" ".join(subject.split())).chars(120),
        body=render_to_string(template, context),
        to=[subscription.address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# --- Sending ------------------------------------------------------------------


@dataclass
class Outcome:
    checked: int = 0  # newly public reports looked at
    mailed: int = 0
    failed: int = 0
    expired: int = 0  # never-confirmed subscriptions forgotten


def send_alerts() -> Outcome:
    """Mail each confirmed search's new reports once; forget unconfirmed ones that expired.

    Reports are claimed before mailing, so two runs never mail one report
    twice; a mail that fails is logged and not retried.
    """
    outcome = Outcome(expired=Subscription.objects.expired().delete()[0])
    now = timezone.now()
    with transaction.atomic():
        fresh = new_reports()
        CheckedReport.objects.claim(fresh, now)
    outcome.checked = len(fresh)
    # Read through the claim rather than a list of ids: the first run after an
    # upgrade claims every report ever published.
    claimed = CheckedReport.objects.filter(checked=now).values("report_id")
    firsts = ReportVersion.objects.filter(
        number=1, report__in=Report.objects.published().filter(pk__in=claimed)
    ).values_list("report_id", "report__pub_date", "public_from")
    candidates = {pk: (date, went_public) for pk, date, went_public in firsts}
    if not candidates:
        return outcome
    for subscription in Subscription.objects.confirmed().iterator():
        mine = {
            pk: date
            for pk, (date, went_public) in candidates.items()
            if went_public >= subscription.confirmed
        }
        query = saved_search(subscription) if mine else None
        found = matches(query, mine) if query is not None else []
        if not found:
            continue
        try:
            with translation.override(subscription.language):  # the reader's, as subscribed
                _mail(
                    subscription,
                    _("New reports: %(search)s") % {"search": describe(subscription.query)},
                    "archive/mail/alert_reports.txt",
                    {
                        "reports": [(r, absolute(r.get_absolute_url())) for r in found[:LISTED]],
                        "more": max(0, len(found) - LISTED),
                    },
                ).send()
        except Exception as exc:
            log.error(
                "alerts: the mail for subscription %s failed: %s", subscription.pk, failure(exc)
            )
            outcome.failed += 1
            continue
        Subscription.objects.filter(pk=subscription.pk).update(last_sent=timezone.now())
        outcome.mailed += 1
    return outcome


def new_reports() -> list[int]:
    """Reports whose first version has gone public, now searchable, not yet checked.

    Searchable: no change of theirs waits for the indexer, and the indexer
    has looked for scheduled reports since they came due. No timestamp
    cursor: a report committed late (a long import) is still found.
    """
    state = IndexerState.objects.filter(pk=1).first()
    if state is None or state.scheduled_checked is None:
        return []
    waiting = IndexChange.objects.pending().filter(report_id=OuterRef("report_id"))
    checked = CheckedReport.objects.filter(report_id=OuterRef("report_id"))
    firsts = ReportVersion.objects.filter(
        number=1, public_from__lte=min(timezone.now(), state.scheduled_checked)
    )
    return list(
        firsts.exclude(Exists(waiting)).exclude(Exists(checked)).values_list("report_id", flat=True)
    )


def saved_search(subscription: Subscription) -> ArchiveQuery | None:
    """The subscription's query, or None when a filter of it cannot be used now.

    The search page leaves out a value no published report has; for an
    alert that would widen the search, so the alert matches nothing instead.
    """
    params = QueryDict(subscription.query)
    parsed = parse_search(params)
    for name in FACETS:
        if len(parsed.query.filters.get(name, ())) < len(set(params.getlist(name))):
            return None
    return parsed.query


def matches(query: ArchiveQuery, candidates: dict[int, datetime.date | None]) -> list[Report]:
    """The candidates (report id -> date) a saved search finds, newest first, through
    ``search()``.

    Only the dates the new reports carry are searched (within the search's
    own range), so a broad search is not read to its end; reports with no
    date, which no date range finds and newest-first order puts last, are
    looked for in its last pages.
    """
    base = replace(query, sort="newest", page=1, per_page=PAGE)
    dated = {pk for pk, date in candidates.items() if date}
    undated = set(candidates) - dated
    found = []
    if dated:
        days = [candidates[pk] for pk in dated]
        start = max(d for d in (min(days), query.date_from) if d)
        end = min(d for d in (max(days), query.date_to) if d)
        if start <= end:
            found += _read(replace(base, date_from=start, date_to=end), dated)
    if undated and not (query.date_from or query.date_to):
        first = search(base, suggest=False)
        with_dates = sum(count for _, count in first.histogram)
        found += _read(base, undated, first_page=with_dates // PAGE + 1)
    return found


def _read(query: ArchiveQuery, wanted: set[int], first_page: int = 1) -> list[Report]:
    """Page through a search until every wanted report is seen or the results end."""
    wanted, found, page = set(wanted), [], first_page
    while wanted:
        results = search(replace(query, page=page), suggest=False)
        found += [report for report in results.reports if report.pk in wanted]
        wanted -= {report.pk for report in results.reports}
        if page >= results.num_pages:
            break
        page += 1
    return found
