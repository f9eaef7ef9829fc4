"""The editors' desk on the admin home: what waits for them, and how far search lags."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.urls import reverse

from ..editing import taggers, tagging
from ..models import Report, TagSuggestion
from ..names.vocabulary import current
from ..search import indexing

register = template.Library()


@register.inclusion_tag("admin/archive/desk.html", takes_context=True)
def editors_desk(context):
    """Reports waiting by status, suggestions waiting by kind, automatic tags, whether the
    learned taggers decide or the rules alone (and why), and the search indexer's lag
    judged as ``/health/`` judges it."""
    reports = reverse("admin:archive_report_changelist")
    suggestions = reverse("admin:archive_tagsuggestion_changelist")
    statuses = dict(Report.objects.values_list("status").annotate(n=Count("pk")))
    by_type = dict(
        TagSuggestion.objects.filter(decision=TagSuggestion.Decision.PENDING)
        .values_list("term_type")
        .annotate(n=Count("pk"))
    )
    waiting = []
    for facet in tagging.SUGGESTED:
        count = by_type.get(ContentType.objects.get_for_model(facet.model).pk, 0)
        if count:
            waiting.append(
                {
                    "label": facet.plural,
                    "count": count,
                    "url": f"{suggestions}?decision__exact=pending&kind={facet.name}",
                }
            )
    lag = indexing.status()
    model, taggers_state = taggers.loaded(current())
    return {
        "taggers_learned": model is not None,
        "taggers_state": taggers_state,
        "in_review": statuses.get(Report.Status.IN_REVIEW, 0),
        "in_review_url": f"{reports}?status__exact={Report.Status.IN_REVIEW}",
        "drafts": statuses.get(Report.Status.DRAFT, 0),
        "drafts_url": f"{reports}?status__exact={Report.Status.DRAFT}",
        "published": statuses.get(Report.Status.PUBLISHED, 0),
        "waiting": waiting,
        "waiting_total": sum(row["count"] for row in waiting),
        "waiting_url": f"{suggestions}?decision__exact=pending",
        "automatic": TagSuggestion.objects.filter(
            decision=TagSuggestion.Decision.AUTOMATIC
        ).count(),
        "automatic_url": f"{suggestions}?decision__exact=automatic",
        "lag": lag,
        "behind": indexing.behind(lag),
        "user": context.get("user"),
    }
