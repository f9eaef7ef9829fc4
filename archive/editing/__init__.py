"""What editors do to turn raw reports into clean, tagged records: importing files
(``importers/``, one parser a format and the transactional writer), tagging from the
text and its evaluation (``tagging``), merging duplicate terms (``merging``), and the
Editors group's permissions (``roles``).

May import ``common``, ``models``, ``facets`` and the names (``vocabulary``); never the
pages or the research wing.
"""
