from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = _("Report archive")

    def ready(self):
        # What saves and deletes set off: the search outbox and the vocabulary's version.
        from . import signals

        signals.connect()
