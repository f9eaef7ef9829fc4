"""Tags suggested for a report, found in its text, waiting for an editor's decision."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reports import Report


class TagSuggestionManager(models.Manager):
    def for_term(self, report: Report, term_model, term_pk: int, evidence: str, **fields):
        """An unsaved suggestion of a term (by model and primary key) for a report."""
        return self.model(
            report=report,
            term_type=ContentType.objects.get_for_model(term_model),
            term_id=term_pk,
            evidence=evidence[:300],
            **fields,
        )


class Retagging(models.Model):
    """One run of ``manage.py retag``: the learned taggers asked again about reports
    already in the archive. What it made or changed points back to it, and ``retag
    --undo`` puts that back as it was (editors' decisions made since are kept)."""

    started = models.DateTimeField(_("started"), auto_now_add=True)
    model = models.CharField(_("model"), max_length=200, help_text=_("What the taggers were."))
    reports = models.PositiveIntegerField(_("reports read"), default=0)
    made = models.PositiveIntegerField(_("suggestions made"), default=0)
    applied = models.PositiveIntegerField(_("tags applied"), default=0)
    withdrawn = models.PositiveIntegerField(_("automatic tags withdrawn"), default=0)
    undone = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("retagging")
        verbose_name_plural = _("retaggings")

    def __str__(self):
        return f"Retagging {self.pk} ({self.started:%Y-%m-%d %H:%M})"


class TagSuggestion(models.Model):
    """A term the text names, awaiting an editor's decision, or applied by a rule.

    The importer and the admin suggest. A rule whose measured precision is
    high enough (``archive.editing.tagging.RULES``) tags the report at once, and the
    suggestion records that the tag was automatic: rejecting it removes the
    tag. A rejected suggestion is kept so that it is not made again.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Undecided")
        ACCEPTED = "accepted", _("Accept: tag the report")
        REJECTED = "rejected", _("Reject")
        AUTOMATIC = "automatic", _("Tagged automatically")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="tag_suggestions", verbose_name=_("report")
    )
    term_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("kind of term")
    )
    term_id = models.PositiveBigIntegerField(_("term id"))
    term = GenericForeignKey("term_type", "term_id")
    evidence = models.CharField(
        _("found as"), max_length=300, help_text=_("The words in the text, e.g. “Hamkyung”.")
    )
    context = models.CharField(
        _("in the sentence"), max_length=400, blank=True, help_text=_("Where the words stand.")
    )
    rule = models.CharField(
        _("rule"), max_length=20, blank=True, help_text=_("Why it was suggested (or applied).")
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
    )
    probability = models.FloatField(
        _("probability"),
        null=True,
        blank=True,
        help_text=_("How likely an editor is to tag it, by the learned taggers (none: rules)."),
    )
    created = models.DateTimeField(_("suggested"), auto_now_add=True)
    retagging = models.ForeignKey(
        Retagging,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("last retagged by"),
    )
    # As it was before that retagging: "" if the retagging made it.
    decision_before = models.CharField(max_length=10, blank=True)
    probability_before = models.FloatField(null=True, blank=True)

    objects = TagSuggestionManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tag suggestion")
        verbose_name_plural = _("tag suggestions")
        indexes = [  # a group: the same term found by the same words
            models.Index(
                fields=["term_type", "term_id", "evidence", "decision"], name="suggestion_group"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "term_type", "term_id"], name="unique_tag_suggestion"
            ),
        ]

    def __str__(self):
        return f"{self.term} ({self.evidence})"


class WrongName(models.Model):
    """Words in which a term's name does not name it: "Minjok Thongsin" is a newspaper,
    not Tongsin County; "Yonggwang Street Restaurant" is not Yonggwang County. A
    mention inside such words is not a finding (``editing.findings.read_mentions``):
    editors make these from the review screen ("Reject by a pattern")."""

    term_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("kind of term")
    )
    term_id = models.PositiveBigIntegerField(_("term id"))
    term = GenericForeignKey("term_type", "term_id")
    pattern = models.CharField(
        _("words"),
        max_length=200,
        help_text=_("“…” stands for up to four words: “… Street Restaurant”, “… Farm in …”."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("wrong reading of a name")
        verbose_name_plural = _("wrong readings of names")
        constraints = [
            models.UniqueConstraint(
                fields=["term_type", "term_id", "pattern"], name="unique_wrong_name"
            ),
        ]

    def __str__(self):
        return f"{self.pattern} (not {self.term})"
