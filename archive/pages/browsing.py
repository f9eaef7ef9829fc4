"""Pages for browsing: an index of every vocabulary, and the About page.

Counts come from the search index, which holds published reports only (the
same counts as the search page's facets); a term no published report carries
has no page, so it is not listed.
"""

import unicodedata
from dataclasses import dataclass, field

from django.shortcuts import render
from django.urls import reverse

from ..editing import taggers
from ..editing.findings import RULES
from ..facets import FACETS, TERMS
from ..models import Alias, Report
from ..names import vocabulary
from ..search.running import ArchiveQuery, search
from .cards import term_links

LETTERS_FROM = 30  # a list longer than this gets an A-Z jump
SHOWN_ALIASES = 4
# Names that are not another spelling readers would look for.
HIDDEN_ALIASES = (Alias.Kind.TRIGGER,)


@dataclass
class IndexEntry:
    label: str
    url: str
    count: int
    aliases: list[str] = field(default_factory=list)
    children: list["IndexEntry"] = field(default_factory=list)


@dataclass
class LetterGroup:
    letter: str
    anchor: str
    entries: list[IndexEntry]


def term_index(request, model):
    """Every term of one vocabulary that published reports carry, with their counts.

    ``model`` is the facet's name (see ``archive.facets``). Context: ``facet``,
    ``total`` (terms listed), ``tree`` (nested IndexEntry list, for a facet whose
    terms nest, e.g. province > county) or ``groups`` (LetterGroup list, A-Z),
    and ``letters`` (the groups to jump to, on long lists).
    """
    facet = FACETS[model]
    values = search(ArchiveQuery(sort="newest", per_page=1), suggest=False).facets[model]
    links = term_links(model, values)
    aliases = _aliases(facet, [v.value for v in values])
    entries = {
        value.value: IndexEntry(link.label, link.url, link.count, aliases.get(value.value, []))
        for value, link in zip(values, links, strict=True)
    }
    context = {"facet": facet, "total": len(entries), "tree": None, "groups": [], "letters": []}
    if facet.tree:
        roots = []
        for value in sorted(values, key=lambda v: v.label):
            parent = entries.get(value.parent) if value.parent else None
            (parent.children if parent else roots).append(entries[value.value])
        context["tree"] = roots
    else:
        context["groups"] = _by_letter(entries.values())
        if len(entries) > LETTERS_FROM:
            context["letters"] = context["groups"]
    return render(request, "archive/term_index.html", context)


def _aliases(facet, slugs: list[str]) -> dict[str, list[str]]:
    """A few other names of each term, by slug."""
    if facet.alias_model is None or not slugs:
        return {}
    found: dict[str, list[str]] = {}
    term = facet.alias_model.term_field
    names = (
        facet.alias_model.objects.filter(**{f"{term}__slug__in": slugs})
        .exclude(kind__in=HIDDEN_ALIASES)
        .order_by("name")
        .values_list(f"{term}__slug", "name")
    )
    for slug, name in names:
        found.setdefault(slug, [])
        if len(found[slug]) < SHOWN_ALIASES:
            found[slug].append(name)
    return found


def _by_letter(entries) -> list[LetterGroup]:
    groups: dict[str, list[IndexEntry]] = {}
    for entry in sorted(entries, key=lambda e: _sort_key(e.label)):
        groups.setdefault(_letter(entry.label), []).append(entry)
    return [
        LetterGroup(letter, "letter-" + ("other" if letter == "#" else letter.lower()), found)
        for letter, found in groups.items()
    ]


def _sort_key(label: str) -> tuple:
    return (_letter(label) == "#", unicodedata.normalize("NFKD", label).casefold())


def _letter(label: str) -> str:
    """The A-Z letter a name is filed under ("Ŏ" under O), or "#"."""
    first = unicodedata.normalize("NFKD", label.strip()[:1]).upper()[:1]
    return first if "A" <= first <= "Z" else "#"


def about(request):
    """What the archive holds and how it works. Context: ``reports`` (published),
    ``vocabularies`` ((title, index page, terms published reports carry) for each),
    ``rules`` (the tagging rules, by name) and ``taggers`` (the learned taggers'
    measured figures, when they are in use; see ``train_taggers``)."""
    values = search(ArchiveQuery(sort="newest", per_page=1), suggest=False)
    vocabularies = [
        (facet.plural, reverse(f"archive:{facet.name}-index"), len(values.facets[facet.name]))
        for facet in TERMS
    ]
    model, _ = taggers.loaded(vocabulary.current())
    measured = model and model.get("measured")
    if measured:  # each kind by its facet's title, in the reader's language
        kinds = {str(FACETS[kind].title): figures for kind, figures in measured["kinds"].items()}
        measured = {**measured, "kinds": kinds}
    context = {
        "reports": Report.objects.published().count(),
        "vocabularies": vocabularies,
        "rules": [(name, rule) for name, rule in RULES.items() if name != "learned"],
        "taggers": measured,
    }
    return render(request, "archive/about.html", context)
