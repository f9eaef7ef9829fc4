"""The vocabularies reports are tagged with: terms, their trees and their other names."""

import contextlib
import contextvars
from collections.abc import Iterator

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from ..common import trees
from ..common.paths import path
from ..names.romanization import ABBREVIATION, alias_key
from .bookkeeping import IndexChange, VocabularyState
from .validation import FeedSafeText


class TermQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Bulk updates bypass signals: queue the reports these terms tag, here."""
        with transaction.atomic(using=self.db):
            report_ids = set()
            for term in self:
                report_ids.update(term.tagged_reports().values_list("pk", flat=True))
            count = super().update(**kwargs)
            IndexChange.objects.enqueue(sorted(report_ids))
            VocabularyState.objects.bump_on_commit(self.db)
        return count


# Terms found while a fixture loads (``remembering_natural_keys``), by slug and by
# primary key: a fixture names the same places again and again, as parents, in aliases
# and in tags.
_remembered: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "archive_remembered_terms", default=None
)


@contextlib.contextmanager
def remembering_natural_keys() -> Iterator[None]:
    """Inside, a term found by its slug is not looked up again (one not found is), nor
    by its primary key when an alias names it (``Alias.natural_key``).

    ``loaddata`` looks up every term a fixture names by slug, and the term of
    every alias it loads; loading the vocabularies and the demo took 8,830
    queries, 4,000 of them finding again terms already found. Only what a
    lookup returns is remembered, and a load (into one database) changes no
    term's slug or primary key.
    """
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


class TermManager(models.Manager.from_queryset(TermQuerySet)):
    def get_by_natural_key(self, slug):
        found = _remembered.get()
        if found is None:
            return self.get(slug=slug)
        if (self.model, "slug", slug) not in found:
            term = found[self.model, "slug", slug] = self.get(slug=slug)
            found[self.model, "pk", term.pk] = term
        return found[self.model, "slug", slug]


def remembered(model, pk):
    """The term of this model and primary key, if the load under way found it already."""
    found = _remembered.get()
    return found.get((model, "pk", pk)) if found else None


class Term(FeedSafeText, models.Model):
    """What every vocabulary shares: a name, a slug, a description, old addresses.

    Each kind of term is listed once in ``archive.facets``, which everything
    else (search, pages, tagging, the importer) reads.
    """

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
    reference = models.BooleanField(
        _("in the reference vocabulary"),
        default=False,
        help_text=_(
            "Tick for a term of the curated vocabulary (e.g. a county from the gazetteer): "
            "its names are public before any published report uses it, so its other "
            "spellings redirect and widen searches. Leave unticked for a term made for "
            "unpublished work: it stays private until a report using it is published."
        ),
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
    suggestions = GenericRelation(
        "TagSuggestion", content_type_field="term_type", object_id_field="term_id"
    )

    objects = TermManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return path(f"archive:{self._meta.model_name}", self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def former_slug_list(self) -> list[str]:
        return [slug.strip() for slug in self.former_slugs.split(",") if slug.strip()]

    def tagged_reports(self):
        """The reports tagged with this term."""
        return self.report_set.all()


class TreeNode:
    """A term with a ``parent`` of its own kind: ancestors, subtrees, no loops."""

    def ancestors(self) -> list:
        """The chain of larger terms, outermost first."""
        return trees.ancestors(self, lambda node: node.parent, key=lambda node: node.pk)[::-1]

    def subtree_ids(self) -> list[int]:
        """Primary keys of this term and every term below it."""
        children = type(self).objects.values_list("pk", flat=True)
        return trees.descendants([self.pk], lambda pks: list(children.filter(parent__in=pks)))

    def clean(self):
        super().clean()
        if self.pk and trees.loops(self, lambda node: node.parent, key=lambda node: node.pk):
            raise ValidationError(
                {"parent": _("%(term)s cannot lie inside itself.") % {"term": self.name}}
            )


class Region(TreeNode, Term):
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

    class Meta(Term.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def tagged_reports(self):
        """Reports tagged with this place or any place inside it."""
        return self.report_set.model.objects.filter(regions__in=self.subtree_ids()).distinct()


class Agency(TreeNode, Term):
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

    class Meta(Term.Meta):
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Topic(Term):
    """What a report is about, e.g. border control."""

    class Meta(Term.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Source(Term):
    """The outlet a report comes from, e.g. Daily NK."""

    homepage = models.URLField(_("homepage"), blank=True)

    class Meta(Term.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")


class AliasQuerySet(models.QuerySet):
    """Bulk changes bypass signals: they mark the vocabulary changed here."""

    def update(self, **kwargs):
        count = super().update(**kwargs)
        VocabularyState.objects.bump_on_commit(self.db)
        return count

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        VocabularyState.objects.bump_on_commit(self.db)
        return created


class AliasManager(models.Manager.from_queryset(AliasQuerySet)):
    def get_by_natural_key(self, slug, name):
        return self.get(**{f"{self.model.term_field}__slug": slug, "name": name})


class Alias(models.Model):
    """Another name a term goes by: a spelling, an abbreviation, a former name.

    Searching any name of a term finds reports that use any other; names are
    compared folded (see ``archive.names.romanization``), so that spellings not
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
        # Not a name: words that, found in a report, suggest the term (a topic's
        # "border guards"). Never widens a search.
        TRIGGER = "trigger", _("Trigger phrase (suggests the term; not searched)")

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
        field = self._meta.get_field(self.term_field)
        term = remembered(field.related_model, getattr(self, field.attname)) or self.term
        return (*term.natural_key(), self.name)

    def clean(self):
        if self.kind != self.Kind.TRIGGER and not alias_key(
            self.name, self.kind, person=self.term_field == "person"
        ):
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
