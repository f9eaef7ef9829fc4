"""What editors do to turn raw reports into clean, tagged records: importing files
(``importers/``, one parser a format and the transactional writer), tagging from the
text (``findings``: what a text names and the rules; ``tagging``: suggestions and
decisions), measuring tags against hand tags (``evaluation``: the labelled sample by
split), the learned taggers (``learning``: whether a report is about a term it
names, topics by classifier, built by ``train_taggers``; ``taggers``: the model in
use), merging duplicate terms (``merging``), and the Editors group's permissions
(``roles``).

May import ``common``, ``models``, ``facets`` and the names wing; never the search,
the pages or the research wing.
"""
