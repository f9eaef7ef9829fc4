"""The admin, a module a part: ``base`` (what every page shares), ``terms`` (the
vocabularies), ``reports``, ``suggestions`` (the review screen of suggested tags),
``wrong_names`` (words that do not name a term) and ``subscriptions`` (readers'
search alerts). Importing the package registers them all (Django's admin imports
``archive.admin``)."""

from . import reports, subscriptions, suggestions, terms, wrong_names  # noqa: F401  (they register)
