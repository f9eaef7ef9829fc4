"""Reports and the vocabularies they are tagged with."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dates import EARLIEST_YEAR, PartialDate
from .romanization import ABBREVIATION, alias_key
from .text import clean_body, is_subhead, paragraphs


class TermQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Bulk updates bypass signals: queue the reports these terms tag, here."""
        from .indexing import enqueue
        from .vocabulary import changed

        with transaction.atomic(using=self.db):
            changed()
            terms = list(self)
            count = super().update(**kwargs)
            reports = Report.objects.none()
            for term in terms:
                reports = reports | Report.objects.tagged_with(term).values("pk")
            enqueue(reports.values_list("pk", flat=True) if terms else [])
        return count


class TermManager(models.Manager.from_queryset(TermQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Term(models.Model):
    """What regions, agencies and topics share: a name, a slug, a description."""

    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. “Ryanggang Province”"))
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("Lower-case address part, never changed once public, e.g. “ryanggang”"),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("A few sentences for readers, shown on the term's page."),
    )
    former_slugs = models.CharField(
        _("former addresses"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Slugs this term had (e.g. of terms merged into it), comma-separated: "
            "they redirect here."
        ),
    )

    url_name = ""

    objects = TermManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(f"archive:{self.url_name}", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def former_slug_list(self) -> list[str]:
        return [slug.strip() for slug in self.former_slugs.split(",") if slug.strip()]


class Region(Term):
    """A place, in a tree: country > province > city / county / district."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        PROVINCE = "province", _("Province")
        SPECIAL_CITY = "special-city", _("Directly governed or special city")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        DISTRICT = "district", _("District")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The larger place this one lies in, e.g. Hyesan is part of Ryanggang."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    source_ref = models.CharField(
        _("gazetteer reference"),
        max_length=100,
        blank=True,
        help_text=_("Where the entry comes from, e.g. “geonames:2043837”."),
    )

    url_name = "region"

    class Meta(Term.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def ancestors(self) -> list["Region"]:
        """The chain of larger places, outermost first."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.insert(0, node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def subtree_ids(self) -> list[int]:
        """Primary keys of this region and every place inside it."""
        found, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(parent__in=frontier)
                .exclude(pk__in=found)
                .values_list("pk", flat=True)
            )
            found += frontier
        return found

    def clean(self):
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("A region cannot lie inside itself.")})
            seen.add(node.pk)
            node = node.parent


class Agency(Term):
    """An organ of the state or party, e.g. the Ministry of State Security."""

    abbreviation = models.CharField(
        _("abbreviation"), max_length=20, blank=True, help_text=_("e.g. “MSS”")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("e.g. the Korean People's Army for the Defense Security Command."),
    )

    url_name = "agency"

    class Meta(Term.Meta):
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Topic(Term):
    url_name = "topic"

    class Meta(Term.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Source(Term):
    """The outlet a report comes from, e.g. Daily NK."""

    homepage = models.URLField(_("homepage"), blank=True)

    url_name = "source"

    class Meta(Term.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")


class ReportQuerySet(models.QuerySet):
    def published(self):
        """The one definition of what the public may see."""
        return self.filter(status=Report.Status.PUBLISHED, publish_at__lte=timezone.now())

    def tagged_with(self, term):
        """Reports tagged with a term; for a region, with it or any place inside it."""
        if isinstance(term, Region):
            return self.filter(regions__in=term.subtree_ids()).distinct()
        if isinstance(term, Source):
            return self.filter(source=term)
        field_name = {Agency: "agencies", Topic: "topics"}[type(term)]
        return self.filter(**{field_name: term})

    def update(self, **kwargs):
        """Bulk updates bypass signals, so they queue the search index here."""
        from .indexing import enqueue

        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            undated = Report.objects.filter(pk__in=ids, first_published=None)
            if "status" in kwargs:
                # Public until now (a withdrawal): note when they went public.
                # The plain update: these reports are queued just below anyway.
                models.QuerySet.update(undated.published(), first_published=models.F("publish_at"))
            count = super().update(**kwargs)
            if kwargs.get("status") == Report.Status.PUBLISHED:
                models.QuerySet.update(
                    undated.filter(publish_at__lte=timezone.now()),
                    first_published=models.F("publish_at"),
                )
            enqueue(ids)
        return count


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Report(models.Model):
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
    original_url = models.URLField(_("original address"), max_length=500, blank=True)
    korean_url = models.URLField(_("Korean edition"), max_length=500, blank=True)
    reporter = models.CharField(_("reporter"), max_length=200, blank=True)
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    editor = models.CharField(_("editor"), max_length=200, blank=True)
    keywords = models.CharField(
        _("the report's own keywords"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, as the report gives them, e.g. “Korea, reforms, Russia”."),
    )

    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True)
    agencies = models.ManyToManyField(Agency, verbose_name=_("agencies"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)

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
        return reverse("archive:report", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def title(self) -> str:
        return self.headline or str(_("Untitled report"))

    @property
    def date(self) -> PartialDate:
        return PartialDate(self.pub_year, self.pub_month, self.pub_day)

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

    @property
    def was_public(self) -> bool:
        return self.first_published is not None and self.first_published <= timezone.now()

    @property
    def is_public(self) -> bool:
        return Report.objects.published().filter(pk=self.pk).exists()

    def clean(self):
        problems = self.date.errors()
        if problems:
            raise ValidationError({"pub_year": "; ".join(problems).capitalize() + "."})
        if self.status == self.Status.PUBLISHED and not self.headline:
            raise ValidationError({"headline": _("A report needs a headline to be published.")})


class Correction(models.Model):
    """A note to readers that a published report was corrected, and how."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("report")
    )
    note = models.TextField(
        _("correction"),
        help_text=_(
            "Shown to readers under the report, e.g. “An earlier version named the wrong county.”"
        ),
    )
    created = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        ordering = ["created"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.created:%Y-%m-%d}: {self.note[:60]}"


class AliasQuerySet(models.QuerySet):
    """Bulk changes bypass signals: they mark the vocabulary changed here."""

    def update(self, **kwargs):
        from .vocabulary import changed

        count = super().update(**kwargs)
        changed()
        return count

    def bulk_create(self, *args, **kwargs):
        from .vocabulary import changed

        created = super().bulk_create(*args, **kwargs)
        changed()
        return created


class AliasManager(models.Manager.from_queryset(AliasQuerySet)):
    def get_by_natural_key(self, slug, name):
        return self.get(**{f"{self.model.term_field}__slug": slug, "name": name})


class Alias(models.Model):
    """Another name a term goes by: a spelling, an abbreviation, a former name.

    Searching any name of a term finds reports that use any other; names are
    compared folded (see ``archive.romanization``), so that spellings not
    listed still find their term. Subclasses name their term's field in
    ``term_field``.
    """

    class Kind(models.TextChoices):
        MCCUNE_REISCHAUER = "mr", _("McCune-Reischauer")
        REVISED = "rr", _("Revised Romanization")
        DPRK = "dprk", _("DPRK official")
        PRESS = "press", _("Press spelling")
        ABBREVIATION = ABBREVIATION, _("Abbreviation")
        FORMER = "former", _("Former name")
        KOREAN = "korean", _("Korean script")
        OTHER = "other", _("Other name")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    used_from = models.PositiveSmallIntegerField(
        _("in use from (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    used_until = models.PositiveSmallIntegerField(
        _("in use until (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("For a former name: the year it was replaced, e.g. 2020."),
    )
    ambiguous = models.BooleanField(
        _("also means other things"),
        default=False,
        help_text=_(
            "Tick for names like “NSA” that other organisations share: the facet filter "
            "still finds the term by it, but searches are not widened with it and it "
            "suggests no tags."
        ),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    term_field = ""

    objects = AliasManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.term.natural_key(), self.name)

    def clean(self):
        if not alias_key(self.name, self.kind):
            raise ValidationError({"name": _("A name needs more than generic words.")})
        if self.used_from and self.used_until and self.used_from > self.used_until:
            raise ValidationError({"used_until": _("A name cannot go out of use before it began.")})

    @property
    def term(self):
        return getattr(self, self.term_field)

    @property
    def years(self) -> str:
        if self.used_from and self.used_until:
            return f"{self.used_from}–{self.used_until}"
        if self.used_until:
            return str(_("until %(year)s") % {"year": self.used_until})
        if self.used_from:
            return str(_("from %(year)s") % {"year": self.used_from})
        return ""


class RegionAlias(Alias):
    term_field = "region"
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="aliases"
    )

    class Meta(Alias.Meta):
        verbose_name = _("region alias")
        verbose_name_plural = _("region aliases")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_region_alias")
        ]


class AgencyAlias(Alias):
    term_field = "agency"
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="aliases"
    )

    class Meta(Alias.Meta):
        verbose_name = _("agency alias")
        verbose_name_plural = _("agency aliases")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unique_agency_alias")
        ]


class TopicAlias(Alias):
    term_field = "topic"
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="aliases"
    )

    class Meta(Alias.Meta):
        verbose_name = _("topic alias")
        verbose_name_plural = _("topic aliases")
        constraints = [models.UniqueConstraint(fields=["topic", "name"], name="unique_topic_alias")]


class TagSuggestion(models.Model):
    """A region or agency the text names, awaiting an editor's decision.

    The importer and the admin suggest; only an editor tags. A rejected
    suggestion is kept so that it is not made again.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Undecided")
        ACCEPTED = "accepted", _("Accept: tag the report")
        REJECTED = "rejected", _("Reject")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="tag_suggestions", verbose_name=_("report")
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("region")
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("agency")
    )
    evidence = models.CharField(
        _("found as"), max_length=300, help_text=_("The words in the text, e.g. “Hamkyung”.")
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    created = models.DateTimeField(_("suggested"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tag suggestion")
        verbose_name_plural = _("tag suggestions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=False, agency__isnull=True)
                | models.Q(region__isnull=True, agency__isnull=False),
                name="tag_suggestion_one_term",
            ),
            models.UniqueConstraint(fields=["report", "region"], name="unique_region_suggestion"),
            models.UniqueConstraint(fields=["report", "agency"], name="unique_agency_suggestion"),
        ]

    def __str__(self):
        return f"{self.term} ({self.evidence})"

    @property
    def term(self):
        return self.region or self.agency


class VocabularyState(models.Model):
    """One row whose version changes with every change to a term or an alias.

    Each process keeps the names of all terms in memory and re-reads them
    when the version moves, so an alias added in the admin is searched at once.
    """

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("vocabulary state")

    def __str__(self):
        return f"vocabulary version {self.version}"


def web_address(url: str) -> str:
    """The address if it is http(s), else "": a stored "javascript:" link never becomes one."""
    return url if url.lower().startswith(("http://", "https://")) else ""


class IndexChange(models.Model):
    """A report whose search index entry must be brought up to date (the outbox).

    Written in the same transaction as the change itself, so a change is
    never lost; the indexer decides from the database what the entry should
    be (present if published, absent otherwise) and marks the row processed.
    """

    report_id = models.BigIntegerField(_("report id"), db_index=True)
    created = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    processed = models.DateTimeField(_("applied at"), null=True, blank=True, db_index=True)

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
