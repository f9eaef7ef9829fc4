"""People: officials and others the reports name, with their names and positions."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .terms import Agency, Alias, Term


class Person(Term):
    """Someone the reports name, e.g. Choe Ryong Hae.

    Two people who share a name are two terms, told apart by what the archive
    knows of them: their born dates and positions.
    """

    born = models.CharField(
        _("born"),
        max_length=60,
        blank=True,
        help_text=_("As the sources give it: “1930-01-07”, “1947”, “circa 1947”."),
    )
    source_ref = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("Where the entry comes from, e.g. “ofac:12211”."),
    )

    class Meta(Term.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")


class PersonAlias(Alias):
    term_field = "person"
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="aliases"
    )

    class Meta(Alias.Meta):
        verbose_name = _("other name of a person")
        verbose_name_plural = _("other names of people")
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="unique_person_alias")
        ]


class PositionManager(models.Manager):
    def get_by_natural_key(self, person_slug, title, held_from):
        """Loading the vocabularies again updates a person's posts instead of adding them
        twice (a post is its holder, title and first year)."""
        found = self.filter(person__slug=person_slug, title=title, held_from=held_from)
        position = found.order_by("pk").first()
        if position is None:
            raise self.model.DoesNotExist(f"{person_slug}: no post {title!r} from {held_from}")
        return position


class Position(models.Model):
    """A post someone held, e.g. Minister of State Security from 2014."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="positions"
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("e.g. “Minister of State Security”")
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=pgettext_lazy("an organisation", "body"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    held_from = models.PositiveSmallIntegerField(
        _("from (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Leave empty when not known for certain."),
    )
    held_until = models.PositiveSmallIntegerField(
        _("until (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("e.g. “Title as listed by OFAC.”")
    )

    objects = PositionManager()

    class Meta:
        ordering = [models.F("held_from").asc(nulls_last=True), "title"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self):
        return f"{self.title} ({self.years})" if self.years else self.title

    def natural_key(self):
        return (self.person.slug, self.title, self.held_from)

    natural_key.dependencies = ["archive.person"]

    @property
    def years(self) -> str:
        if self.held_from and self.held_until:
            return f"{self.held_from}–{self.held_until}"
        if self.held_from:
            return f"{self.held_from}–"
        if self.held_until:
            return str(_("until %(year)s") % {"year": self.held_until})
        return ""
