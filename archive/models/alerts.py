"""Saved searches that mail readers their new reports, and the reports already mailed about.

An address is kept only to send mail to. It is never shown in clear: the
admin, ``__str__`` and log lines use ``mask()``, and rate limits and
duplicate checks read keyed hashes (``digest()``) of addresses and client
addresses instead. Confirmation tokens are stored hashed (a copy of the
table cannot confirm anyone) and expire; the unsubscribe token is kept as
it is, because every mail carries it.
"""

import datetime
import hashlib
import secrets

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

CONFIRM_WITHIN = datetime.timedelta(hours=48)  # a confirmation link works this long


def digest(kind: str, value: str) -> str:
    """A keyed hash (the site's secret key) of an address, for lookups and limits."""
    return salted_hmac(f"archive.alerts.{kind}", value.strip().lower()).hexdigest()


def mailbox(address: str) -> str:
    """The mailbox an address reaches, for counting: less case, a ``+tag`` and dots in
    the local part (which most providers ignore, so they are free variations)."""
    local, _at, domain = address.strip().casefold().rpartition("@")
    return f"{local.partition('+')[0].replace('.', '')}@{domain}"


def mailbox_hour(address: str) -> str:
    """The cache key that stands for a confirmation mailed to this mailbox this hour."""
    hour = int(timezone.now().timestamp() // 3600)
    return f"archive:alert-mailbox:{digest('address', mailbox(address))}:{hour}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mask(address: str) -> str:
    """``j***@e***.org``: enough for its owner to recognise, not enough to mail."""
    local, _, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    shown_domain = f"{name[:1]}***{dot}{tld}" if dot else f"{domain[:1]}***"
    return f"{local[:1]}***@{shown_domain}"


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed__isnull=False)

    def expired(self):
        """Never confirmed, and the last confirmation link has run out."""
        cutoff = timezone.now() - CONFIRM_WITHIN
        return self.filter(confirmed__isnull=True, confirm_sent__lt=cutoff)


class SubscriptionManager(models.Manager.from_queryset(SubscriptionQuerySet)):
    def start(
        self, address: str, query: str, client: str, language: str = "en"
    ) -> tuple["Subscription", str | None]:
        """An unconfirmed subscription to this search (new, or the one asked for before)
        with a fresh confirmation token for its mail; ``client`` is the requester's
        network address. When the address already has it confirmed: that one, no token."""
        mine = self.filter(address_digest=digest("address", address), query=query)
        confirmed = mine.confirmed().first()
        if confirmed is not None:
            return confirmed, None
        token = secrets.token_urlsafe(32)
        subscription = mine.first() or self.model(
            address=address.strip(),
            address_digest=digest("address", address),
            query=query,
            unsubscribe_token=secrets.token_urlsafe(32),
        )
        subscription.client_digest = digest("client", client)
        subscription.language = language
        subscription.confirm_digest = token_digest(token)
        subscription.confirm_sent = timezone.now()
        subscription.save()
        return subscription, token

    def awaiting(self, token: str) -> "Subscription | None":
        """The unconfirmed subscription an unexpired confirmation token belongs to."""
        if not token:
            return None
        return self.filter(
            confirm_digest=token_digest(token),
            confirm_sent__gte=timezone.now() - CONFIRM_WITHIN,
        ).first()

    def confirm(self, token: str) -> "Subscription | None":
        """Confirm the subscription this token belongs to; None if it has none (or expired)."""
        found = self.awaiting(token)
        if found is not None:
            found.confirmed = timezone.now()
            found.confirm_digest = ""
            found.save(update_fields=["confirmed", "confirm_digest"])
        return found

    def unsubscribe(self, token: str) -> None:
        """Forget the subscription and its address (nothing happens the second time);
        the mailbox may ask again at once."""
        for address in self.filter(unsubscribe_token=token).values_list("address", flat=True):
            cache.delete(mailbox_hour(address))
        self.filter(unsubscribe_token=token).delete()


class Subscription(models.Model):
    """A reader's saved search: new reports matching it are mailed once confirmed."""

    address = models.EmailField(_("e-mail address"), help_text=_("Never shown in clear."))
    address_digest = models.CharField(_("address hash"), max_length=64, db_index=True)
    client_digest = models.CharField(_("requested from (hash)"), max_length=64, db_index=True)
    query = models.TextField(
        _("search"), help_text=_("The search's parameters, e.g. “q=bowibu&region=hyesan”.")
    )
    created = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    confirm_digest = models.CharField(_("confirmation token hash"), max_length=64, blank=True)
    confirm_sent = models.DateTimeField(_("confirmation mailed"), null=True, db_index=True)
    confirmed = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribe_token = models.CharField(_("unsubscribe token"), max_length=64, unique=True)
    last_sent = models.DateTimeField(_("last alert mailed"), null=True, blank=True)
    language = models.CharField(
        _("language of its mails"), max_length=8, default="en", help_text=_("The reader's.")
    )

    objects = SubscriptionManager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("search alert")
        verbose_name_plural = _("search alerts")

    def __str__(self):
        return f"{mask(self.address)}: {self.query or 'all reports'}"

    @property
    def masked_address(self) -> str:
        return mask(self.address)


class CheckedReportManager(models.Manager):
    def claim(self, report_ids: list[int], when: datetime.datetime) -> None:
        """Mark reports as checked against every saved search at ``when`` (one run's
        stamp); fails if another run claimed one of them."""
        self.bulk_create([self.model(report_id=pk, checked=when) for pk in report_ids])


class CheckedReport(models.Model):
    """A newly public report that ``send_alerts`` has checked: it is never mailed twice."""

    report = models.OneToOneField(
        "archive.Report",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("report"),
    )
    checked = models.DateTimeField(_("checked"), default=timezone.now)

    objects = CheckedReportManager()

    class Meta:
        verbose_name = _("report checked for alerts")
        verbose_name_plural = _("reports checked for alerts")

    def __str__(self):
        return f"report {self.report_id} checked {self.checked:%Y-%m-%d %H:%M}"


class QueuedMail(models.Model):
    """A confirmation mail waiting to be sent: mails go from the indexer's loop (or
    ``send_alerts``), never inside a reader's request, so that how long the answer
    took says nothing about whether a mail was sent."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="queued_mails"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    headers = models.JSONField(_("headers"), default=dict)
    created = models.DateTimeField(_("queued"), default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("queued mail")

    def __str__(self):
        return f"mail for subscription {self.subscription_id}"
