"""What every term's and report's text must be: something a feed can carry."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import ngettext

from ..common.text import control_characters


class FeedSafeText:
    """Model validation refusing text that XML 1.0 cannot carry, such as a vertical tab.

    Feeds are XML: one headline or term name holding a control character would
    take down every feed listing it. Forms remove such characters before this
    check (see ``archive.admin.base``); anything else that validates is refused here,
    field by field. ``clean_fields`` rather than ``clean``, so that a form
    leaving a field out is never blamed for it.
    """

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, message in self.text_problems().items():
            if name not in (exclude or ()) and name not in errors:
                errors[name] = [message]
        if errors:
            raise ValidationError(errors)

    def text_problems(self) -> dict[str, str]:
        """A message for each editable text field that cannot be stored as it is."""
        problems = {}
        for field in self._meta.concrete_fields:
            if not field.editable or not isinstance(field, models.CharField | models.TextField):
                continue
            found = control_characters(getattr(self, field.attname) or "")
            if found:
                problems[field.name] = ngettext(
                    "Remove the invisible control character (%(found)s): feeds cannot carry it.",
                    "Remove the invisible control characters (%(found)s): feeds cannot carry them.",
                    len(found),
                ) % {"found": ", ".join(found)}
        return problems
