"""The archive's models, by concern: ``terms`` (the vocabularies and their names),
``people`` (people, their other names and positions), ``reports``
(reports, corrections, tag suggestions) and ``bookkeeping`` (the
search outbox, the indexer's state, the vocabulary's version).

Side effects run one way: a model's own writes live on its manager or
queryset; reactions to saves and deletes are receivers in ``archive.signals``.
"""

from .bookkeeping import IndexChange, IndexerState, VocabularyState
from .people import Person, PersonAlias, Position
from .reports import Correction, Report, TagSuggestion, web_address
from .terms import (
    Agency,
    AgencyAlias,
    Alias,
    Region,
    RegionAlias,
    Source,
    Term,
    Topic,
    TopicAlias,
    TreeNode,
)

__all__ = [
    "Agency",
    "AgencyAlias",
    "Alias",
    "Correction",
    "IndexChange",
    "IndexerState",
    "Person",
    "PersonAlias",
    "Position",
    "Region",
    "RegionAlias",
    "Report",
    "Source",
    "TagSuggestion",
    "Term",
    "Topic",
    "TopicAlias",
    "TreeNode",
    "VocabularyState",
    "web_address",
]
