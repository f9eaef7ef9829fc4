from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = _("Report archive")

    def ready(self):
        from . import indexing  # noqa: F401  (connects the signals that queue index changes)
