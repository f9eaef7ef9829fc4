"""Public pages. Every query of reports starts from ``Report.objects.published()``."""

import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..common.dates import month_and_year
from ..common.paths import absolute, site
from ..editing import review, taggers
from ..editing.findings import RULES
from ..facets import FACETS, TERMS
from ..models import Agency, Person, Report, TreeNode
from ..names import vocabulary
from ..research import exports
from ..responses import not_public
from ..search import indexing
from ..search.form import page_number, parse_display, parse_search
from ..search.links import hidden_inputs, url_with
from ..search.narrowing import named_too, only_named
from ..search.related import related
from ..search.request import run_parsed
from ..search.running import ArchiveQuery, search
from ..search.visibility import VisibleTerms
from ..search_backend import engine
from . import visuals
from .cards import by_day, cards, known_names, tag_groups, term_links
from .incidents import incidents_of
from .pagination import page_links, paginator, per_page_links, sort_links
from .result_nav import result_links, result_nav
from .sidebar import chips, facet_boxes, name_controls
from .visuals.timelines import histogram

log = logging.getLogger(__name__)


def home(request):
    """The latest published reports, the main terms with counts, the histogram.

    Context: ``cards`` (the latest reports), ``provinces``, ``agencies``, ``topics`` (TermLink
    lists with counts), ``bars``, ``total``, ``undated``.
    """
    results = search(ArchiveQuery(sort="newest", per_page=10), own=visuals.OWN)
    provinces = [v for v in results.facets["region"] if v.parent == "north-korea"]
    context = {
        "cards": cards(results.reports, results.snippets),
        "total": results.total,
        "provinces": term_links("region", provinces[:12]),
        "agencies": term_links("agency", results.facets["agency"][:10]),
        "topics": term_links("topic", results.facets["topic"][:10]),
        "bars": histogram(results, QueryDict(), base=reverse("archive:search")),
        "undated": results.undated,
        **visuals.for_home(results, base=reverse("archive:search")),
    }
    return render(request, "archive/home.html", context)


def report_detail(request, slug):
    """One published report with related reports and a citation.

    A withdrawn report answers 410 Gone with a short notice. Context:
    ``report``, ``blocks`` (subheads and paragraphs), ``tags``, ``related``,
    ``permalink``, ``corrections``, ``version`` (the version cited), and ``nav``
    (``result_nav.ResultNav``) when reached from a search, whose words are then
    marked in the text.
    """
    report = _with_details(Report.objects.published()).filter(slug=slug).first()
    if report is None:
        return not_public(request, slug)
    return _render_report(request, report)


@staff_member_required
@permission_required("archive.view_report", raise_exception=True)
def report_preview(request, slug):
    """Any report as the public would see it once published, for editors."""
    report = get_object_or_404(_with_details(Report.objects.all()), slug=slug)
    return _render_report(request, report, preview=True)


def _with_details(reports):
    many = [facet.report_field for facet in TERMS if facet.many]
    return reports.select_related("source").prefetch_related(*many)


def _render_report(request, report, preview=False):
    nav = None if preview else result_nav(report, request.GET)
    context = {
        "report": report,
        "nav": nav,
        "blocks": _blocks(report, nav.terms if nav else []),
        "tags": tag_groups(report),
        "preview": preview,
        "related": related(report),
        "incidents": incidents_of(report),
        "corrections": report.corrections.all(),
        "counterpart": None if preview else counterpart(report),
        # What the citation names; a preview is not a version readers saw.
        "version": None if preview else report.version,
        "permalink": absolute(report.get_absolute_url()),
        "accessed": timezone.now(),
    }
    return render(request, "archive/report_detail.html", context)


def counterpart(report):
    """The same report in the archive in the other language, if there: the English one's
    Korean edition (its ``korean_url``) is the Korean report from that address, and back."""
    public = Report.objects.published().exclude(pk=report.pk).exclude(language=report.language)
    if report.korean_url and report.language != "ko":
        return public.filter(original_url=report.korean_url).first()
    if report.original_url and report.language == "ko":
        return public.filter(korean_url=report.original_url).first()
    return None


def _blocks(report, terms) -> list[tuple[bool, str]]:
    """The report's subheads and paragraphs, the search's words marked in paragraphs."""
    if not terms:
        return report.blocks
    backend = engine()
    return [
        (subhead, text if subhead else mark_safe(backend.mark(text, terms)))
        for subhead, text in report.blocks
    ]


def _automatic(term, facet) -> dict | None:
    """How many of the term's reports were tagged with it automatically, and by what."""
    if not facet.suggested:
        return None
    rules = review.automatic_by_rule(term)
    if not rules:
        return None
    return {
        "total": sum(n for _, n in rules),
        "rules": [(rule, RULES[rule].description, n) for rule, n in rules if rule in RULES],
    }


def term_detail(request, slug, model):
    """A term of any vocabulary: its description, reports and neighbours.

    ``model`` is the facet's name (see ``archive.facets``). A region's reports
    include those tagged with places inside it. Context: ``term``, ``facet``,
    ``kicker``, ``parents``, ``results``, ``cards``, ``pages``, ``bars``,
    ``related`` (other terms most often seen with it, by facet title),
    ``search_url``, and ``names`` and ``history`` (see
    ``cards.known_names``). Another name of the term in the address
    redirects to it.
    """
    facet = FACETS[model]
    term = facet.model.objects.filter(slug=slug).first()
    if term is None:
        # An old address (a merged term) or another spelling: send readers to the term.
        entry = None
        if facet.alias_model is not None:
            entry = vocabulary.current().resolve(model, slug, VisibleTerms())
        if entry is None:
            raise Http404("No such term.")
        return redirect(f"archive:{model}", slug=entry.slug, permanent=True)
    page = _page_number(request)
    query = ArchiveQuery(filters={model: (slug,)}, sort="newest", page=page)
    results = search(query, disjunctive=False, cross=visuals.term_grids(facet), own=visuals.OWN)
    if not results.total:
        # A term only drafts use (e.g. a topic an import created) stays private.
        raise Http404("No published reports with this term.")
    if page > paginator(results).num_pages:
        raise Http404("No such page.")
    search_params = QueryDict(mutable=True)
    search_params[model] = slug
    parents = term.ancestors() if isinstance(term, TreeNode) else []
    skip = {slug} | {parent.slug for parent in parents}
    neighbours = [
        (
            _("%(kind)s reported with it") % {"kind": other.plural},
            term_links(
                other.name, [v for v in results.facets[other.name] if v.value not in skip][:8]
            ),
        )
        for other in TERMS
        if other.many and (other is not facet or facet.tree)
    ]
    kind_display = getattr(term, "get_kind_display", None)
    context = {
        "term": term,
        "facet": facet,
        "kicker": kind_display() if kind_display else facet.title,
        "parents": parents,
        "results": results,
        "cards": cards(results.reports, results.snippets),
        "pages": page_links(results, QueryDict()),
        "bars": histogram(results, search_params, base=reverse("archive:search")),
        "undated": results.undated,
        "related": neighbours,
        "search_url": reverse("archive:search") + url_with(search_params),
        "only_named": only_named(model, term),
        "named_url": reverse("archive:search") + url_with(QueryDict(), q=f'"{term.name}"'),
        "posts": _posts(term, facet),
        "automatic": _automatic(term, facet),
        **known_names(term),
    }
    context.update(
        visuals.for_term(
            parse_display(request.GET),
            results,
            facet,
            term,
            search_params,
            reverse("archive:search"),
            context["bars"],
        )
    )
    return render(request, "archive/term_detail.html", context)


def _posts(term, facet) -> list[dict]:
    """A person's posts, or the posts in a body held by people readers can look up: each
    with its holder or body, linked where that has a public page."""
    if facet.name not in ("person", "agency"):
        return []
    published = Report.objects.published()
    if facet.name == "person":
        public = set(Agency.objects.filter(report__in=published).values_list("pk", flat=True))
        return [
            {
                "title": post.title,
                "years": post.years,
                "other": post.agency,
                "linked": post.agency_id in public,
            }
            for post in term.positions.select_related("agency")
        ]
    holders = Person.objects.filter(report__in=published)
    return [
        {"title": post.title, "years": post.years, "other": post.person, "linked": True}
        for post in term.positions.filter(person__in=holders).select_related("person")
    ]


def date_archive(request, year=None, month=None):
    """Years > months > reports, from the search index's year and month counts.

    Context: ``years`` or ``months`` (FacetValue lists), ``year``, ``month``,
    and once a month is chosen ``days`` (its reports under a heading for each day,
    those with no known day last) and ``pages``.
    """
    filters = {}
    if year is not None:
        filters["year"] = (str(year),)
    if month is not None:
        filters["month"] = (f"{year}-{month:02d}",)
    results = search(
        ArchiveQuery(filters=filters, sort="oldest", page=_page_number(request), per_page=50)
    )
    if filters and not results.total:
        raise Http404("No published reports from then.")
    if results.query.page > paginator(results).num_pages:
        raise Http404("No such page.")
    context = {"year": year, "month": month, "results": results}
    if year is None:
        context["years"] = sorted(results.facets["year"], key=lambda v: v.value, reverse=True)
        context["undated"] = results.undated
    elif month is None:
        context["months"] = [
            (v, MONTHS_AP[int(v.value[5:])], int(v.value[5:]))
            for v in sorted(results.facets["month"], key=lambda v: v.value)
            if v.value.startswith(f"{year}-")
        ]
        context["month_unknown"] = results.total - sum(v.count for v, *_ in context["months"])
    else:
        context["month_name"] = MONTHS_AP[month]
        context["month_and_year"] = month_and_year(year, month)
        context["days"] = by_day(cards(results.reports, results.snippets))
        context["pages"] = page_links(results, QueryDict())
    return render(request, "archive/date_archive.html", context)


def _page_number(request) -> int:
    return page_number(request.GET.get("page", "1")) or 1


def health(request):
    """For monitors: ``ok``, ``degraded`` (the indexer is behind) or ``error``, as JSON.

    The public answer is the status alone: counts would show editors at work
    (saving a draft queues a change for the indexer). Logged-in staff also get
    the detail: the indexer's queue, lag and last sighting, and how many
    reports are published and indexed. 200 for ok and degraded; 503 when the
    database or the index cannot be read (what went wrong is logged, not shown).
    """
    body, detail = {"status": "ok"}, {}
    staff = request.user.is_active and request.user.is_staff
    try:
        detail["indexer"] = indexing.status()
        if indexing.behind(detail["indexer"]):
            body["status"] = "degraded"
        if staff:
            detail["published_reports"] = Report.objects.published().count()
            # Whether the learned taggers are in use, and if not why (staff only).
            detail["taggers"] = taggers.loaded(vocabulary.current())[1]
    except Exception:  # the monitor needs an answer, not a 500
        log.exception("health: the database cannot be read")
        body.update(status="error", database="unavailable")
    try:
        detail["indexed_reports"] = engine().document_count()
    except Exception:
        log.exception("health: the search index cannot be read")
        body.update(status="error", index="unavailable")
    if staff:
        body.update(detail)
    return JsonResponse(body, status=503 if body["status"] == "error" else 200)


def search_page(request):
    """The faceted search page; every state is a plain GET URL.

    Context: ``results`` (ArchiveResults), ``facets``, ``chips``, ``bars``,
    ``pages``, ``sorts``, ``per_page`` (links to 20, 50, 100 a page), ``messages_``
    (what was wrong with the parameters),
    ``params``, ``clear_url``, and the hidden inputs each form on the page carries
    (``find_hidden``, ``dates_hidden``, ``alert_hidden``), ``downloads`` (of the whole
    search).
    """
    parsed = parse_search(request.GET)
    grids = visuals.GRIDS if parsed.display.grid else ()
    results = run_parsed(parsed, cross=grids, own=visuals.OWN)
    params = parsed.params
    context = {
        "results": results,
        "cards": cards(results.reports, results.snippets, result_links(results, params)),
        "partial_cards": cards(results.partial, results.snippets),
        "params": params,
        "facets": facet_boxes(results, params, parsed.display.finds, parsed.visible),
        # What the find boxes, the dates form and the alert form carry along.
        "find_hidden": hidden_inputs(params, ("page",)),
        "dates_hidden": hidden_inputs(params, ("from", "to", "page")),
        "alert_hidden": hidden_inputs(params, ("page", "sort")),
        "chips": chips(results, params),
        "named_too": named_too(results, params, parsed.visible),
        "names": name_controls(results, params),
        "bars": histogram(results, params),
        "undated": results.undated,
        "pages": page_links(results, params),
        "sorts": sort_links(params, results.query.sort, bool(results.query.text)),
        "per_page": per_page_links(params, results.query.per_page),
        "messages_": parsed.messages,
        "clear_url": url_with(params, drop=("page", *FACETS, "from", "to")),
        "suggestion_url": url_with(params, q=results.suggestion) if results.suggestion else None,
        "typed_url": url_with(params, exact="1") if results.corrected_from else None,
        "feed_query": url_with(params).rstrip("?"),
        "downloads": exports.downloads(parsed, results),
        **visuals.for_search(parsed.display, results, params),
    }
    return render(request, "archive/search.html", context)


def opensearch(request):
    """Lets browsers add the archive as a search engine."""
    context = {"base": site()}
    return render(
        request, "opensearch.xml", context, content_type="application/opensearchdescription+xml"
    )


def robots(request):
    context = {"base": site()}
    return render(request, "robots.txt", context, content_type="text/plain")
