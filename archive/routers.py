"""Where Django's database cache lives: the ``cache`` database when settings name one
(beside SQLite's file, see ``settings.CACHES``), else the default database."""

from django.conf import settings

CACHE_APP = "django_cache"  # the app label of DatabaseCache's rows


class CacheRouter:
    """The cache's tables in the ``cache`` database, and nothing else there."""

    def db_for_read(self, model, **hints):
        return "cache" if model._meta.app_label == CACHE_APP else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if "cache" not in settings.DATABASES:
            return None
        return (app_label == CACHE_APP) == (db == "cache")
