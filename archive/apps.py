from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = _("Report archive")

    def ready(self):
        # Connect the signals that queue index changes and refresh the vocabulary.
        from . import indexing, vocabulary  # noqa: F401
