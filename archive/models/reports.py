"""Reports: their fields, states and what the public may see of them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..common.dates import EARLIEST_YEAR, PartialDate
from ..common.paths import path
from ..common.text import clean_body, is_subhead, paragraphs
from .bookkeeping import IndexChange, IndexerState
from .people import Person
from .terms import Agency, Region, Source, Topic
from .validation import FeedSafeText
from .versions import INTERNAL_FIELDS, ReportVersion

LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]  # of a text: Korean is read as Korean


def published_q(prefix: str = "") -> Q:
    """The one definition of what the public may see, as a condition on a report (or,
    with ``prefix`` such as ``"links__report__"``, on the report a relation reaches)."""
    now = timezone.now()
    return Q(**{f"{prefix}status": Report.Status.PUBLISHED, f"{prefix}publish_at__lte": now})


class ReportQuerySet(models.QuerySet):
    def published(self):
        """What the public may see (``published_q``)."""
        return self.filter(published_q())

    def gone(self, slug: str) -> bool:
        """Whether the report at this address was public and has been withdrawn: readers
        are told it is gone (410), not that it never was (404)."""
        withdrawn = self.filter(slug=slug, status=Report.Status.WITHDRAWN).first()
        return withdrawn is not None and withdrawn.was_public

    def merged_into(self, slug: str):
        """The public report that the report at this address was merged into, or None."""
        merged = self.filter(slug=slug, merged_into__isnull=False).first()
        return self.published().filter(pk=merged.merged_into_id).first() if merged else None

    def by_source_id(self) -> dict[str, int]:
        """Ids by the source's own id each was imported with ("id:<source>:<id>")."""
        rows = self.filter(import_key__startswith="id:").values_list("import_key", "pk")
        return {key.rsplit(":", 1)[1]: pk for key, pk in rows}

    def tagged_with(self, term):
        """Reports tagged with a term; for a region, with it or any place inside it."""
        return self.filter(pk__in=term.tagged_reports().values("pk"))

    def update(self, **kwargs):
        """Bulk updates bypass signals: note first publications, queue the index,
        record versions and recount the incidents of the reports here.

        ``first_published`` is set in the same statement for reports that were
        public until now (a withdrawal) or become public with it.
        """
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            public = not set(kwargs) <= INTERNAL_FIELDS
            if "first_published" not in kwargs:
                kwargs["first_published"] = self._first_published_after(kwargs)
            count = super().update(**kwargs)
            IndexChange.objects.enqueue(ids)
            if public:
                ReportVersion.objects.changed(ids)
                from .incidents import Incident  # incidents build on reports

                Incident.objects.of_reports(ids).recount()
        return count

    def retagged(self, queue: bool = True) -> None:
        """These reports' tags changed: the one path every change of tags ends in.

        Whatever made it (the form, the review screen, an automatic rule, a merge,
        a term deleted), the report is stamped ``updated`` (so a form opened
        before it is refused, see ``ReportForm``), queued for the index, and
        given a new version if published (a change of tags changes what readers
        see and cite). An import, which queues every report it makes in the
        file's order, says ``queue=False``.
        """
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            if ids:
                self.model.objects.filter(pk__in=ids)._stamp(timezone.now())
                if queue:
                    IndexChange.objects.enqueue(ids)
                ReportVersion.objects.changed(ids)

    def _stamp(self, now) -> int:
        return super().update(updated=now)  # not ``update``: no index change, no version

    def touch(self) -> int:
        """Stamp ``updated`` and nothing else (no version, no index change): something
        an editor's open form holds changed, such as a decision on a suggestion.

        Except for one case: the indexer queues a scheduled report that falls due
        only if it was last saved before its time (``indexing``), so one that
        fell due since the indexer last looked is queued here.
        """
        with transaction.atomic(using=self.db):
            now = timezone.now()
            due = self.filter(
                status=Report.Status.PUBLISHED,
                publish_at__gt=IndexerState.due_since(now),
                publish_at__lte=now,
            )
            IndexChange.objects.enqueue(due.values_list("pk", flat=True))
            return self._stamp(now)

    @staticmethod
    def _first_published_after(changes: dict) -> Case:
        """``first_published`` for an update: kept, or set where the update ends publicity
        (the old ``publish_at``) or begins it (the new one)."""
        now = timezone.now()
        status, publish_at = changes.get("status"), changes.get("publish_at")
        public_before = Q(status=Report.Status.PUBLISHED, publish_at__lte=now)
        if status not in (None, Report.Status.PUBLISHED) or (publish_at and publish_at > now):
            public_after = None  # not public after this update
        else:
            public_after = Q(status=Report.Status.PUBLISHED) if status is None else Q()
            if publish_at is None:
                public_after &= Q(publish_at__lte=now)
        unset = Q(first_published__isnull=True)
        whens = [When(unset & public_before, then=F("publish_at"))]
        if public_after is not None:
            began = Value(publish_at) if publish_at else F("publish_at")
            condition = unset & public_after if public_after else unset
            whens.append(When(condition, then=began))
        return Case(*whens, default=F("first_published"))


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class PublicText:
    """What pages show of a report's public fields, for a report and for any of its
    versions (``archive.research.versions.VersionText``) alike."""

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body)

    @property
    def blocks(self) -> list[tuple[bool, str]]:
        """Paragraphs, each marked True when it is a section head."""
        return [(is_subhead(p), p) for p in self.paragraphs]

    @property
    def original_link(self) -> str:
        return web_address(self.original_url)

    @property
    def korean_link(self) -> str:
        return web_address(self.korean_url)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class Report(PublicText, FeedSafeText, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in-review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    headline = models.CharField(_("headline"), max_length=300, blank=True)
    headline_supplied = models.BooleanField(
        _("headline written by the archive"),
        default=False,
        help_text=_("Tick when the original has no headline and an editor wrote this one."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    dek = models.CharField(
        _("dek"), max_length=500, blank=True, help_text=_("The subtitle under the headline.")
    )
    body = models.TextField(
        _("body"),
        help_text=_("Plain text; paragraphs separated by a blank line. HTML is reduced to text."),
    )
    photo_caption = models.CharField(_("photo caption"), max_length=500, blank=True)

    pub_year = models.PositiveSmallIntegerField(
        _("year published"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_YEAR)],
        help_text=_("Leave empty when the report does not say."),
    )
    pub_month = models.PositiveSmallIntegerField(
        _("month published"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    pub_day = models.PositiveSmallIntegerField(
        _("day published"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    pub_time = models.TimeField(
        _("time published"), null=True, blank=True, help_text=_("As stated, e.g. 05:30.")
    )
    pub_date = models.DateField(
        _("date (for sorting)"),
        null=True,
        editable=False,
        db_index=True,
        help_text=_("Derived from the known parts; empty when the year is unknown."),
    )
    date_note = models.CharField(
        _("note on the date"),
        max_length=300,
        blank=True,
        help_text=_("e.g. “Source spoke to Daily NK on Jan. 15; year not stated.”"),
    )

    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Indexed: a report and its edition in the other language find each other by them.
    original_url = models.URLField(_("original address"), max_length=500, blank=True, db_index=True)
    korean_url = models.URLField(_("Korean edition"), max_length=500, blank=True, db_index=True)
    reporter = models.CharField(_("reporter"), max_length=200, blank=True)
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    editor = models.CharField(_("editor"), max_length=200, blank=True)
    keywords = models.CharField(
        _("the report's own keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, as the report gives them, e.g. “Korea, reforms, Russia”."),
    )
    sections = models.CharField(
        _("the source's sections"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where the source filed it, as given, e.g. “Top News, World”: not the archive's topics."
        ),
    )

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=LANGUAGES,
        default="en",
        db_index=True,
        help_text=_("The language of the text; Korean is searched as Korean."),
    )

    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True)
    agencies = models.ManyToManyField(Agency, verbose_name=_("agencies"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    people = models.ManyToManyField(Person, verbose_name=_("people"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        help_text=_("A published report becomes public at this time."),
    )
    first_published = models.DateTimeField(
        _("first published"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When it first went public: a withdrawn report that never did is not “gone”."),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_reports",
        verbose_name=_("merged into"),
        help_text=_("The same story, kept: this report's addresses lead there."),
    )
    editor_notes = models.TextField(
        _("editors' notes"),
        blank=True,
        help_text=_("Never shown to readers. The importer lists missing fields here."),
    )
    import_key = models.CharField(
        _("import key"),
        max_length=600,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("What re-imports recognise this report by: source id, address or text hash."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportManager()

    class Meta:
        ordering = [models.F("pub_date").desc(nulls_last=True), "-created"]
        get_latest_by = "publish_at"
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_body(self.body)
        self.pub_date = self.date.sort_date()
        if self.first_published is None:
            # Public now, or public until this change (a scheduled report that
            # came due, or one loaded raw from a fixture, has no date yet).
            public_now = self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()
            was_public = self.pk and Report.objects.published().filter(pk=self.pk).exists()
            if public_now or was_public:
                self.first_published = self.publish_at
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return path("archive:report", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def title(self) -> str:
        return self.headline or str(_("Untitled report"))

    @property
    def date(self) -> PartialDate:
        return PartialDate(self.pub_year, self.pub_month, self.pub_day)

    @property
    def was_public(self) -> bool:
        return self.first_published is not None and self.first_published <= timezone.now()

    @property
    def is_public(self) -> bool:
        return Report.objects.published().filter(pk=self.pk).exists()

    def set_status(self, status: str) -> bool:
        """Move the report to ``status`` (saved by the caller); False when it is there."""
        if self.status == status:
            return False
        self.status = status
        return True

    def publish(self, now) -> bool:
        """Published: at its schedule when that is still to come, else ``now`` (saved by
        the caller). False when it is published already, or scheduled."""
        if not self.set_status(Report.Status.PUBLISHED):
            return False
        if self.publish_at <= now:
            self.publish_at = now
        return True

    @cached_property
    def version(self) -> ReportVersion | None:
        """The last version readers have seen (None before the first publication):
        what a citation names, with its number and fingerprint."""
        return self.versions.seen().order_by("number").last()

    def clean(self):
        problems = self.date.errors()
        if problems:
            raise ValidationError({"pub_year": "; ".join(problems).capitalize() + "."})
        if self.status == self.Status.PUBLISHED and not self.headline:
            raise ValidationError({"headline": _("A report needs a headline to be published.")})

    def text_problems(self) -> dict[str, str]:
        """Also a body longer than ``ARCHIVE_MAX_BODY_LENGTH``: refused, never cut short.

        Every search listing a report highlights its text: one of a few
        megabytes slows them all.
        """
        problems = super().text_problems()
        limit = settings.ARCHIVE_MAX_BODY_LENGTH
        if len(self.body) > limit and "body" not in problems:
            problems["body"] = _(
                "The text is %(length)s characters long; the archive takes at most "
                "%(limit)s characters. Split it into parts."
            ) % {"length": f"{len(self.body):,}", "limit": f"{limit:,}"}
        return problems


def web_address(url: str) -> str:
    """The address if it is http(s), else "": a stored "javascript:" link never becomes one."""
    return url if url.lower().startswith(("http://", "https://")) else ""
