"""Incidents: one event, the reports of it, and how many independent sources stand
behind it.

An incident is written by an editor (a title, a summary, a date as precise as is
known, where, who, what kind) and goes public under the same workflow as a report.
A report is linked to it with a stance (it reports the event, adds to it, disputes
it, or corrects an earlier account) and with the origin of what it says about it:
the kind (the outlet's own source inside the country, a defector's testimony, state
media …) and, when the report passes on somebody else's information, whose (else it
is the report's outlet's own). Reports of one origin count once: ten wire copies of a
KCNA dispatch are one source, and so are Daily NK's report and RFA's retelling of it.

What the public sees of an incident is ``Incident.objects.published()``, and of its
links only those whose report is published too (``IncidentReport.objects.public()``):
a draft report's link never shows, counts or is hinted at.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..common.dates import PartialDate
from ..common.paths import path
from ..common.text import short_slug
from .people import Person
from .reports import LANGUAGES, Report, published_q
from .terms import Agency, Region, Topic


class Stance(models.TextChoices):
    REPORTS = "reports", _("reports it")
    ADDS = "adds", _("adds to it")
    DISPUTES = "disputes", _("disputes it")
    CORRECTS = "corrects", _("corrects an earlier account")


class OriginKind(models.TextChoices):
    OWN_SOURCE = "own-source", _("the outlet's own source inside the country")
    DEFECTOR = "defector", _("a defector's testimony")
    STATE_MEDIA = "state-media", _("state media")
    IMAGERY = "imagery", _("satellite imagery")
    DOCUMENT = "document", _("a court or NGO document")
    OTHER_OUTLET = "other-outlet", _("another outlet's report")
    UNKNOWN = "unknown", _("not stated")


CHUNK = 5000  # ids in one IN list


class IncidentQuerySet(models.QuerySet):
    def published(self):
        """The incidents the public may see: published as a report is (``published_q``)."""
        return self.filter(published_q())

    def of_reports(self, report_ids):
        """Incidents linking any of these reports."""
        return self.filter(
            pk__in=IncidentReport.objects.filter(report__in=report_ids).values("incident")
        )

    def recount(self) -> int:
        """Store each incident's public reports and independent sources (``source_count``,
        ``report_count``: what /incidents/ shows and narrows by, without counting
        10,000 incidents a request). Called whenever what they count may change: a
        link saved or deleted, a report saved, deleted or updated in bulk, one that came
        due (the indexer), an outlet renamed. Counted from published reports only, so
        an unpublished report is never counted, even for a moment; by ``origin_of``,
        as an incident's page counts them."""
        origins, reports = defaultdict(set), defaultdict(set)
        pks = list(self.values_list("pk", flat=True))
        for start in range(0, len(pks), CHUNK):
            # The links first, then which of their reports are public, by key: SQLite
            # joined the other way round walks every published report for each incident.
            links = list(
                IncidentReport.objects.filter(incident__in=pks[start : start + CHUNK]).values_list(
                    "incident_id", "origin", "report_id"
                )
            )
            public = {}
            ids = sorted({report for _, _, report in links})
            for first in range(0, len(ids), CHUNK):
                public.update(
                    Report.objects.published()
                    .filter(pk__in=ids[first : first + CHUNK])
                    .values_list("pk", "source__name")
                )
            for incident, origin, report in links:
                if report in public:
                    origins[incident].add(origin_of(origin, public[report], report))
                    reports[incident].add(report)
        stored = Incident.objects.filter(pk__in=pks).values_list(
            "pk", "source_count", "report_count"
        )
        changed = [
            Incident(pk=pk, source_count=len(origins[pk]), report_count=len(reports[pk]))
            for pk, sources, count in stored
            if (sources, count) != (len(origins[pk]), len(reports[pk]))
        ]
        with transaction.atomic(using=self.db):  # one commit, not one a row
            Incident.objects.bulk_update(changed, ["source_count", "report_count"], batch_size=500)
        return len(changed)


def origin_of(origin: str, outlet: str | None, report_id: int) -> str:
    """What makes two links one source: the origin's name when the editor named it,
    else the report's outlet's name (else the report itself), without case. A report
    that names "Daily NK" as its origin counts with Daily NK's own."""
    if origin:
        return origin.casefold()
    return outlet.casefold() if outlet else f"report:{report_id}"


class IncidentManager(models.Manager.from_queryset(IncidentQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def free_slug(self, title: str) -> str:
        """A slug from the title that no incident has yet ("title", "title-2" …)."""
        slug = base = short_slug(title) or "incident"
        number = 2
        while self.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug


class Incident(models.Model):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What happened, in the archive's words.")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=LANGUAGES,
        default="en",
        help_text=_("The language the title and summary are written in."),
    )
    start_year = models.PositiveSmallIntegerField(_("began: year"), null=True, blank=True)
    start_month = models.PositiveSmallIntegerField(_("began: month"), null=True, blank=True)
    start_day = models.PositiveSmallIntegerField(_("began: day"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("ended: year"), null=True, blank=True)
    end_month = models.PositiveSmallIntegerField(_("ended: month"), null=True, blank=True)
    end_day = models.PositiveSmallIntegerField(_("ended: day"), null=True, blank=True)
    start_date = models.DateField(_("began (for sorting)"), null=True, editable=False)
    # Kept by ``IncidentQuerySet.recount``: public reports, and independent sources among them.
    source_count = models.PositiveIntegerField(default=0, editable=False, db_index=True)
    report_count = models.PositiveIntegerField(default=0, editable=False)
    date_note = models.CharField(_("note on the date"), max_length=300, blank=True)

    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True)
    agencies = models.ManyToManyField(Agency, verbose_name=_("agencies"), blank=True)
    people = models.ManyToManyField(Person, verbose_name=_("people"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    reports = models.ManyToManyField(
        Report, through="IncidentReport", related_name="incidents", blank=True
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Report.Status.choices,
        default=Report.Status.DRAFT,
        db_index=True,
    )
    publish_at = models.DateTimeField(_("publish at"), default=timezone.now)
    editor_notes = models.TextField(_("editors' notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = IncidentManager()

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "-created"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.start_date = self.began.sort_date()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return path("archive:incident", self.slug)

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        problems = self.began.errors() + self.ended.errors()
        if self.ended.year and self.began.year and self.ended.sort_date() < self.began.sort_date():
            problems.append("it ends before it begins")
        if problems:
            raise ValidationError(_("Impossible date: %(why)s.") % {"why": "; ".join(problems)})

    @property
    def began(self) -> PartialDate:
        return PartialDate(self.start_year, self.start_month, self.start_day)

    @property
    def ended(self) -> PartialDate:
        return PartialDate(self.end_year, self.end_month, self.end_day)

    def standing(self) -> "Standing":
        """What the public may know of the sources behind this incident, from its first
        ``MAX_LINKS`` public reports by date (an incident of more is cut there)."""
        links = list(
            IncidentReport.objects.public()
            .filter(incident=self)
            .select_related("report", "report__source")
            .only(*LINK_FIELDS)
            .order_by(F("report__pub_date").asc(nulls_last=True), "report__created")[:MAX_LINKS]
        )
        origins = {}  # origin -> its earliest link (whose kind and name it goes by)
        for link in links:
            origins.setdefault(link.origin_id, link)
        dated = sorted(
            (link.report for link in links if link.report.pub_date), key=attrgetter("pub_date")
        )
        return Standing(
            links=links,
            sources=len(origins),
            kinds=Counter(link.origin_kind for link in origins.values()),
            origins=[
                (link.origin_name, link.get_origin_kind_display()) for link in origins.values()
            ],
            first=dated[0].date if dated else None,  # as the reports state them
            latest=dated[-1].date if dated else None,
            disputed=[link for link in links if link.stance in (Stance.DISPUTES, Stance.CORRECTS)],
            cut=len(links) == MAX_LINKS,
        )


MAX_LINKS = 2000  # reports an incident's page lists and counts sources over, at most
LINK_FIELDS = [  # what the page shows of a link and its report (not the report's text)
    *("stance", "origin_kind", "origin", "note", "incident_id"),
    *("report__slug", "report__headline", "report__language", "report__source__name"),
    *("report__pub_year", "report__pub_month", "report__pub_day", "report__pub_date"),
    *("report__created", "report__status", "report__publish_at"),
]


@dataclass
class Standing:
    links: list
    sources: int
    kinds: Counter
    first: object
    latest: object
    disputed: list
    origins: list = field(default_factory=list)  # (name, kind) of each independent source
    cut: bool = False  # more public reports than MAX_LINKS: the first ones only


class IncidentReportManager(models.Manager):
    def get_by_natural_key(self, incident, report):
        return self.get(incident__slug=incident, report__slug=report)


class IncidentReportQuerySet(models.QuerySet):
    def public(self):
        """Links the public may see: a published incident's, to a published report."""
        return self.filter(published_q("incident__"), published_q("report__"))


class IncidentReport(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="links", verbose_name=_("incident")
    )
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="incident_links", verbose_name=_("report")
    )
    stance = models.CharField(
        _("stance"), max_length=20, choices=Stance.choices, default=Stance.REPORTS
    )
    origin_kind = models.CharField(
        _("where its information came from"),
        max_length=20,
        choices=OriginKind.choices,
        default=OriginKind.UNKNOWN,
    )
    origin = models.CharField(
        _("whose information"),
        max_length=200,
        blank=True,
        help_text=_(
            "Whose information the report passes on, e.g. “Daily NK” or “KCNA”: reports "
            "naming one origin count once. Empty: the report's own outlet's."
        ),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = IncidentReportManager.from_queryset(IncidentReportQuerySet)()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "report"], name="one_link_per_report")
        ]
        verbose_name = _("report of an incident")
        verbose_name_plural = _("reports of incidents")

    def __str__(self):
        return f"{self.report} → {self.incident}"

    def save(self, *args, **kwargs):
        self.origin = " ".join(self.origin.split())
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.incident.slug, self.report.slug)

    natural_key.dependencies = ["archive.incident", "archive.report"]

    @property
    def kind_shown(self) -> str:
        """The kind of origin in words, or "" when not stated (nothing to say)."""
        return "" if self.origin_kind == OriginKind.UNKNOWN else self.get_origin_kind_display()

    @property
    def origin_name(self) -> str:
        """The origin as readers read it: as named, else the report's outlet."""
        if self.origin:
            return self.origin
        return self.report.source.name if self.report.source_id else self.report.title

    @property
    def origin_id(self) -> str:
        source = self.report.source if self.report.source_id else None
        return origin_of(self.origin, source.name if source else None, self.report_id)


class IncidentProposal(models.Model):
    """An incident the archive proposes a report may belong to, with its reasons,
    until an editor confirms it (the report is linked) or rejects it (it is not
    proposed again)."""

    class Decision(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="incident_proposals",
        verbose_name=_("report"),
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("incident")
    )
    score = models.FloatField(_("likeness"))
    reasons = models.JSONField(_("reasons"), default=list)
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.WAITING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "incident"], name="one_proposal_per_pair")
        ]
        ordering = ["-score"]
        verbose_name = _("proposed incident")
        verbose_name_plural = _("proposed incidents")

    def __str__(self):
        return f"{self.report} → {self.incident}?"
