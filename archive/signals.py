"""Every reaction to a save or a delete, in one place; connected from ``ArchiveConfig.ready``.

Two things follow changes to the database, each inside the change's own
transaction:

- the search index: a report saved, deleted or retagged, or a term renamed,
  moved, deleted or restored from its history, queues the affected reports
  in the ``IndexChange`` outbox for the indexer (``archive.search.indexing``);
  nothing here touches the index itself;
- the vocabulary of names and labels: a term or alias saved or deleted
  gives the vocabulary a new version when the transaction commits, so that
  every process re-reads it (``archive.names.vocabulary``);
- the versions readers can cite: a report saved or retagged (also from the
  term's side, by a merge or a deletion) records its new version if what
  readers see changed (``ReportVersion.objects``; a save and its tags in one
  ``one_change()`` block make one version). Every change of tags ends in
  ``ReportQuerySet.retagged``, which also stamps the report ``updated``.

- incidents' counts of public reports and independent sources: a link, a report or
  an outlet saved or deleted recounts the incidents it touches
  (``IncidentQuerySet.recount``);

- the Editors group: after every ``migrate`` it is given the permissions of
  every vocabulary (``archive.editing.roles``); and the database caches' tables are
  made if missing.

Bulk updates send no signals: ``ReportQuerySet.update``,
``TermQuerySet.update`` and ``AliasQuerySet`` do the same work themselves.
"""

from django.apps import apps
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)

from . import facets
from .editing import roles
from .models import (
    Incident,
    IncidentReport,
    IndexChange,
    Report,
    ReportVersion,
    Source,
    VocabularyState,
    WrongName,
)


def connect() -> None:
    archive = apps.get_app_config("archive")
    post_migrate.connect(update_editors, sender=archive, dispatch_uid="archive-editors")
    post_migrate.connect(create_cache_tables, sender=archive, dispatch_uid="archive-cache")
    post_save.connect(report_changed, sender=Report, dispatch_uid="archive-report-saved")
    post_delete.connect(report_changed, sender=Report, dispatch_uid="archive-report-deleted")
    post_save.connect(report_saved, sender=Report, dispatch_uid="archive-report-versioned")
    for facet in facets.TERMS:
        model, uid = facet.model, f"archive-{facet.name}"
        if facet.many:
            through = getattr(Report, facet.report_field).through
            m2m_changed.connect(tags_changed, sender=through, dispatch_uid=f"{uid}-tags")
        pre_save.connect(remember_identity, sender=model, dispatch_uid=f"{uid}-pre-save")
        post_save.connect(term_saved, sender=model, dispatch_uid=f"{uid}-saved")
        pre_delete.connect(term_deleting, sender=model, dispatch_uid=f"{uid}-pre-delete")
        post_delete.connect(term_deleted, sender=model, dispatch_uid=f"{uid}-deleted")
    for facet in facets.TERMS:
        for model in filter(None, (facet.model, facet.alias_model)):
            uid = f"archive-names-{model._meta.model_name}"
            post_save.connect(names_changed, sender=model, dispatch_uid=f"{uid}-saved")
            post_delete.connect(names_changed, sender=model, dispatch_uid=f"{uid}-deleted")
    post_save.connect(incident_saved, sender=Incident, dispatch_uid="archive-incident-recount")
    post_save.connect(link_changed, sender=IncidentReport, dispatch_uid="archive-link-saved")
    post_delete.connect(link_changed, sender=IncidentReport, dispatch_uid="archive-link-deleted")
    post_save.connect(outlet_saved, sender=Source, dispatch_uid="archive-outlet-recount")
    post_save.connect(names_changed, sender=WrongName, dispatch_uid="archive-wrong-name-saved")
    post_delete.connect(names_changed, sender=WrongName, dispatch_uid="archive-wrong-name-deleted")


# --- The search index ----------------------------------------------------


def report_changed(sender, instance, **kwargs):
    IndexChange.objects.enqueue([instance.pk])
    Incident.objects.of_reports([instance.pk]).recount()


# --- Incidents' counts -----------------------------------------------------


def incident_saved(sender, instance, **kwargs):
    """A save writes every field: counts loaded before a change (a form, a reverted or
    recovered version, a fixture) are counted again from what is public now."""
    Incident.objects.filter(pk=instance.pk).recount()


def link_changed(sender, instance, **kwargs):
    Incident.objects.filter(pk=instance.incident_id).recount()


def outlet_saved(sender, instance, **kwargs):
    """An outlet renamed may join or part two origins (a report naming it as its origin)."""
    reports = Report.objects.filter(source=instance).values("pk")
    Incident.objects.of_reports(reports).recount()


def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A report's tags changed, from the report's side or the term's."""
    if action == "pre_clear" and reverse:
        # After the clear the term has no reports left to look up: note them now.
        instance._cleared_reports = list(instance.report_set.values_list("pk", flat=True))
    if not action.startswith("post_"):
        return
    if not reverse:
        reports = [instance.pk]
    elif pk_set is not None:
        reports = list(pk_set)
    else:
        reports = getattr(instance, "_cleared_reports", [])
    Report.objects.filter(pk__in=reports).retagged()


def indexed_identity(term) -> tuple:
    """What the index shows of a term: slug and tree for facets, names for the text."""
    return (
        term.slug,
        term.name,
        getattr(term, "abbreviation", None),
        getattr(term, "parent_id", None),
    )


def remember_identity(sender, instance, raw=False, **kwargs):
    # Raw saves (loaddata, django-reversion) read nothing here: loading a fixture
    # into an empty database must not cost a query per row. See ``term_saved``.
    if instance.pk and not raw:
        old = sender.objects.filter(pk=instance.pk).first()
        instance._indexed_identity = indexed_identity(old) if old else None


def term_saved(sender, instance, created, raw=False, **kwargs):
    """A term's reports are queued when what the index shows of it changed.

    A raw save (a fixture, or django-reversion reverting or recovering a term
    from its history) stores the row as given, and what it held before was
    not read: when it overwrote an existing row, its reports are queued
    whether or not anything changed; a new row tags no report yet.
    """
    if raw:
        if not created:
            IndexChange.objects.enqueue(instance.tagged_reports().values_list("pk", flat=True))
        return
    before = getattr(instance, "_indexed_identity", None)
    if not created and before is not None and before != indexed_identity(instance):
        IndexChange.objects.enqueue(instance.tagged_reports().values_list("pk", flat=True))


def term_deleting(sender, instance, **kwargs):
    instance._indexed_reports = list(instance.tagged_reports().values_list("pk", flat=True))


def term_deleted(sender, instance, **kwargs):
    # The database dropped the tags without a signal: the reports' versions follow.
    Report.objects.filter(pk__in=getattr(instance, "_indexed_reports", [])).retagged()


# --- Versions ---------------------------------------------------------------


def report_saved(sender, instance, **kwargs):
    """Raw saves too: a fixture loaded, or a report reverted in its history."""
    ReportVersion.objects.changed([instance.pk])


# --- The vocabulary of names ----------------------------------------------


def names_changed(sender, using="default", **kwargs):
    VocabularyState.objects.bump_on_commit(using)


# --- Roles -------------------------------------------------------------------


def create_cache_tables(sender, **kwargs):
    """The tables of the database caches in ``CACHES``, in the database the router
    gives each (SQLite's cache file, see ``archive.routers``): made by every
    ``migrate``, so no set-up step is added and a cache added later gets its table;
    nothing when the cache lives elsewhere (``DJANGO_CACHE_URL``)."""
    from django.core.management import call_command
    from django.db import connections

    for alias in connections:
        call_command("createcachetable", database=alias, verbosity=0)


def update_editors(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    roles.ensure_editors_group(
        Group.objects.db_manager(using), Permission.objects.db_manager(using)
    )
