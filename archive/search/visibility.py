"""What readers may see named: the terms that published reports carry or the reference
vocabulary holds, and the reports withdrawn that the index has not yet let go.
"""

from ..facets import ALIASED, FACETS
from ..models import IndexChange, Report
from ..search_backend import engine


class VisibleTerms:
    """Which terms readers may see named: those published reports carry, and the reference.

    A term counts as public when published reports carry it (read from the
    search index, where a region counts when a place inside it is tagged),
    or when it is in the curated reference vocabulary (``Term.reference``,
    such as the gazetteer's places). Unpublished reports never count either
    way: tagging a draft with a reference term changes nothing a reader sees,
    and a term an editor makes for a draft stays private until a report
    using it is published. Call it with a vocabulary entry.

    One is made for a request and passed down (the form, the search, its
    corrections, the sidebar): each thing it knows is read once, when first
    needed.
    """

    fields = {facet.name: facet.index_field for facet in ALIASED}

    def __init__(self, awaiting_removal: tuple[int, ...] | None = None):
        self._awaiting_removal = awaiting_removal  # read when first needed, if not given
        self._present: dict[str, set[str]] = {}  # index field -> values live reports hold
        self.reference: dict[str, set[int]] = {}  # primary keys, by facet, when needed

    @property
    def awaiting_removal(self) -> tuple[int, ...]:
        """The reports the index still holds that are no longer public."""
        if self._awaiting_removal is None:
            self._awaiting_removal = awaiting_removal()
        return self._awaiting_removal

    def present(self, field: str) -> set[str]:
        """The values of an index field that public reports hold (the vocabularies with
        other names are read together, at the first one asked)."""
        if field not in self._present:
            named = list(self.fields.values())
            wanted = named if field in named else [field]
            self._present.update(engine().present_values(wanted, self.awaiting_removal))
        return self._present[field]

    def __call__(self, entry) -> bool:
        if entry.slug in self.present(self.fields[entry.facet]):
            return True
        if entry.facet not in self.reference:
            terms = FACETS[entry.facet].model.objects.filter(reference=True)
            self.reference[entry.facet] = set(terms.values_list("pk", flat=True))
        return entry.pk in self.reference[entry.facet]


def awaiting_removal() -> tuple[int, ...]:
    """Reports changed but not yet re-indexed that are no longer public.

    Between a withdrawal and the indexer's next batch (about a second), the
    index still holds the report; searches leave it out of every count.
    """
    if not IndexChange.objects.any_pending():
        return ()
    # Asked of the database as one query, not as a list of every queued report: that
    # list cost every search 239 ms with 19,960 queued, and past SQLite's limit of
    # parameters (32,766 by default; 250,000 in Debian's build) a search would fail.
    public = Report.objects.published().values("pk")
    waiting = IndexChange.objects.pending().exclude(report_id__in=public)
    return tuple(sorted(set(waiting.values_list("report_id", flat=True))))
