"""Corrections: notes to readers that a published report was corrected, and how."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reports import Report


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
