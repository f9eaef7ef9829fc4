"""The admin, a module a part: ``base`` (what every page shares), ``terms`` (the
vocabularies), ``reports``, ``incidents`` (events, their reports, proposals),
``suggestions`` (the review screen of suggested tags),
``wrong_names`` (words that do not name a term) and ``subscriptions`` (readers'
search alerts). Importing the package registers them all (Django's admin imports
``archive.admin``)."""

from . import (  # noqa: F401  (they register)
    incidents,
    reports,
    subscriptions,
    suggestions,
    terms,
    wrong_names,
)
