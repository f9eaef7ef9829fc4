"""Every name of every term, in memory: alias-aware search, facet lookup, tag suggestions.

Every term of a vocabulary with other names (``archive.facets.ALIASED``) is
known by its name, its abbreviation and its aliases. ``current()`` returns
them as a ``known.Vocabulary``, re-read whenever an editor changes a term or an
alias (``VocabularyState`` holds the version), so new aliases work at once in
every process without touching the search index: searches are widened at
query time. ``prime()`` and ``forget()`` set and clear this process's copy
(tests that restore rows they loaded once use them).
"""

import threading
import time

from .. import facets
from ..common.dates import in_korean
from ..models import Alias, VocabularyState
from .known import Vocabulary
from .types import CANONICAL, KnownTerm, TermName

_lock = threading.Lock()
_loaded: dict[str, object] = {"version": None, "vocabulary": None, "checked": 0.0}
# How long the stored version is trusted before it is read again: a search reads
# the vocabulary several times, and another process's change may wait this long.
# This process's own changes are seen at once.
RECHECK_SECONDS = 0.5


def current() -> Vocabulary:
    """The vocabulary as the database has it now (one small query when it may have changed)."""
    with _lock:
        known = _loaded["version"]
        fresh = time.monotonic() - _loaded["checked"] < RECHECK_SECONDS
        if known is not None and fresh and known[1] == VocabularyState.objects.changes_here():
            return _loaded["vocabulary"]
    version = VocabularyState.objects.version()
    with _lock:
        if _loaded["vocabulary"] is None or _loaded["version"] != version:
            _loaded["vocabulary"] = _load()
            _loaded["version"] = version
        _loaded["checked"] = time.monotonic()
        return _loaded["vocabulary"]


def shown_name(facet: str, slug: str, name: str) -> str:
    """A term's name as the page's reader reads it: in Korean, its Korean name first
    ("량강도 (Ryanggang)"), where it has one."""
    if not in_korean():
        return name
    korean = current().korean_names.get((facet, slug))
    return f"{korean} ({name})" if korean and korean != name else name


def prime(vocabulary: Vocabulary) -> None:
    """Hold this vocabulary as the database's current one, without reading it: for
    rows restored that are known to make it (the tests' fixtures)."""
    version = VocabularyState.objects.version()
    with _lock:
        _loaded.update(version=version, vocabulary=vocabulary, checked=time.monotonic())


def forget() -> None:
    """Drop this process's copy: the next ``current()`` reads the database."""
    with _lock:
        _loaded.update(version=None, vocabulary=None, checked=0.0)


def _wrong_names(model) -> list[tuple[int, str]]:
    """(term id, words) of the wrong readings of this vocabulary's names."""
    from django.contrib.contenttypes.models import ContentType

    from ..models import WrongName

    kind = ContentType.objects.get_for_model(model)
    return list(WrongName.objects.filter(term_type=kind).values_list("term_id", "pattern"))


def _years_of_names(entry: KnownTerm) -> dict[str, tuple[int | None, int | None]]:
    """Names with the years they were the term's: former names as recorded, and the
    current name from the year the last former name went out of use, unless an alias
    of the same words dates it (the evidence of the reports: ``name_dates``)."""
    years = {
        n.text: (n.used_from, n.used_until) for n in entry.names if n.used_from or n.used_until
    }
    ends = [until for _, until in years.values() if until]
    if ends:
        years.setdefault(entry.name, (max(ends), None))
    return years


def _load() -> Vocabulary:
    labels = {}
    for facet in facets.TERMS:
        fields = ["slug", "name", "parent__slug" if facet.tree else "slug"]
        rows = facet.model.objects.values_list(*fields)
        labels[facet.name] = {
            slug: (name, parent if facet.tree else None) for slug, name, parent in rows
        }
    entries = []
    for facet in facets.ALIASED:
        by_pk = {}
        for term in facet.model.objects.all():
            entry = KnownTerm(
                facet=facet.name,
                pk=term.pk,
                slug=term.slug,
                name=term.name,
                parent_id=getattr(term, "parent_id", None),
                kind=getattr(term, "kind", ""),
                names=[TermName(term.name, CANONICAL)],
                former_slugs=tuple(term.former_slug_list),
                born=getattr(term, "born", ""),
            )
            if getattr(term, "abbreviation", ""):
                entry.names.append(TermName(term.abbreviation, Alias.Kind.ABBREVIATION))
            by_pk[term.pk] = entry
        term_id = f"{facet.alias_model.term_field}_id"
        for alias in facet.alias_model.objects.all():
            entry = by_pk.get(getattr(alias, term_id))
            if entry is None:
                continue
            if alias.kind == Alias.Kind.TRIGGER:
                entry.triggers.append(alias.name)
                continue
            entry.names.append(
                TermName(alias.name, alias.kind, alias.ambiguous, alias.used_from, alias.used_until)
            )
        for term_id, words in _wrong_names(facet.model):
            if term_id in by_pk:
                by_pk[term_id].stops += (words,)
        for entry in by_pk.values():
            entry.years = _years_of_names(entry)
        entries += by_pk.values()
    return Vocabulary(entries, labels)
