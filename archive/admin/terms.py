"""The vocabularies' admin: regions, agencies, topics, people and sources, with their
aliases, history and merging; any other vocabulary gets the generic term admin."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ..editing.merging import merge_problem, merge_terms
from ..facets import TERMS
from ..models import (
    Agency,
    Person,
    Position,
    Region,
    Source,
    Topic,
)
from .base import FORM_FIELDS, PastedTextAdmin, PastedTextForm


class TermAdmin(PastedTextAdmin):
    """Every term's changes are kept: "History" lists them and reverts any."""

    form = PastedTextForm
    formfield_overrides = FORM_FIELDS
    list_display = ["name", "slug"]
    list_filter = ["reference"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    class Media:
        css = {"all": ["archive/admin.css"]}


class AliasInline(admin.TabularInline):
    fields = ["name", "kind", "used_from", "used_until", "ambiguous", "note"]
    extra = 1
    classes = ["aliases"]


class AliasedTermAdmin(TermAdmin):
    """Terms with other names: the names inline, and merging of duplicates."""

    search_fields = [*TermAdmin.search_fields, "aliases__name"]
    actions = ["merge"]

    def __init__(self, model, admin_site):
        # The term's aliases are edited inline, and kept in its history (reversion
        # reads ``inlines`` when the admin is created).
        alias_model = model._meta.get_field("aliases").related_model
        inline = type(f"{alias_model.__name__}Inline", (AliasInline,), {"model": alias_model})
        self.inlines = [inline, *self.inlines]
        super().__init__(model, admin_site)

    @admin.action(description=_("Merge the selected into one"), permissions=["change", "delete"])
    def merge(self, request, queryset):
        """Ask which term to keep, then move everything to it (see archive.editing.merging)."""
        terms = list(queryset.order_by("name"))
        if len(terms) < 2:
            self.message_user(request, _("Select two or more to merge."), messages.WARNING)
            return None
        keep_pk = request.POST.get("keep")
        keep = next((t for t in terms if str(t.pk) == keep_pk), None)
        if keep is None:
            context = {
                **self.admin_site.each_context(request),
                "title": _("Merge %(things)s") % {"things": self.opts.verbose_name_plural},
                "opts": self.opts,
                "terms": [(term, term.report_set.count()) for term in terms],
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/archive/merge_terms.html", context)
        merged = [t for t in terms if t.pk != keep.pk]
        problem = merge_problem(keep, merged)
        if problem:
            self.message_user(request, _("Not merged: %s") % problem, messages.ERROR)
            return None
        moved = merge_terms(keep, merged)
        self.message_user(
            request,
            _(
                "Merged %(names)s into %(keep)s (their names are now aliases); "
                "%(n)d report(s) moved."
            )
            % {"names": ", ".join(t.name for t in merged), "keep": keep.name, "n": moved},
            messages.SUCCESS,
        )
        return None


@admin.register(Region)
class RegionAdmin(AliasedTermAdmin):
    list_display = ["name", "kind", "parent", "slug"]
    list_filter = ["kind", "reference"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    fields = [
        "name",
        "slug",
        "kind",
        "parent",
        "reference",
        "description",
        "latitude",
        "longitude",
        "source_ref",
        "former_slugs",
    ]


@admin.register(Agency)
class AgencyAdmin(AliasedTermAdmin):
    list_display = ["name", "abbreviation", "parent", "slug"]
    list_select_related = ["parent"]
    search_fields = [*AliasedTermAdmin.search_fields, "abbreviation"]
    autocomplete_fields = ["parent"]


@admin.register(Topic)
class TopicAdmin(AliasedTermAdmin):
    pass


class PositionInline(admin.TabularInline):
    model = Position
    fields = ["title", "agency", "held_from", "held_until", "note"]
    autocomplete_fields = ["agency"]
    extra = 1


@admin.register(Person)
class PersonAdmin(AliasedTermAdmin):
    inlines = [PositionInline]
    list_display = ["name", "born", "slug"]
    fields = ["name", "slug", "born", "description", "source_ref", "former_slugs", "reference"]


@admin.register(Source)
class SourceAdmin(TermAdmin):
    list_display = ["name", "homepage", "slug"]


# Any other vocabulary in ``archive.facets`` gets the generic term admin.
for _facet in TERMS:
    if not admin.site.is_registered(_facet.model):
        _admin = AliasedTermAdmin if _facet.alias_model is not None else TermAdmin
        admin.site.register(_facet.model, _admin)
