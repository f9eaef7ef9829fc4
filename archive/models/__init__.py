"""The archive's models, by concern: ``terms`` (the vocabularies and their names),
``people`` (people, their other names and positions), ``reports`` (reports),
``corrections`` (notes to readers of a corrected report), ``incidents`` (events and
the reports of them, with where their information came from), ``suggestions`` (tags
suggested, waiting for an editor),
``versions`` (reports as readers saw them), ``alerts`` (saved searches mailed to
readers) and ``bookkeeping`` (the search outbox, the indexer's state, the
vocabulary's version).

Side effects run one way: a model's own writes live on its manager or
queryset; reactions to saves and deletes are receivers in ``archive.signals``.
"""

from .alerts import CheckedReport, QueuedMail, Subscription
from .bookkeeping import IndexChange, IndexerState, VocabularyState
from .corrections import Correction
from .incidents import Incident, IncidentProposal, IncidentReport, OriginKind, Stance
from .people import Person, PersonAlias, Position
from .reports import Report, web_address
from .suggestions import Retagging, TagSuggestion, WrongName
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
from .versions import ReportVersion

__all__ = [
    "Agency",
    "AgencyAlias",
    "Alias",
    "CheckedReport",
    "Correction",
    "Incident",
    "IncidentProposal",
    "IncidentReport",
    "IndexChange",
    "IndexerState",
    "OriginKind",
    "Person",
    "PersonAlias",
    "Position",
    "QueuedMail",
    "Region",
    "RegionAlias",
    "Report",
    "ReportVersion",
    "Retagging",
    "Source",
    "Stance",
    "Subscription",
    "TagSuggestion",
    "Term",
    "Topic",
    "TopicAlias",
    "TreeNode",
    "VocabularyState",
    "WrongName",
    "web_address",
]
