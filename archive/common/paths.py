"""The addresses of pages named by one slug (a report's, a term's), reversed once a name.

Lists, exports and feeds write thousands of these: ``reverse`` was a tenth of
a search page's time and most of an export's.
"""

import functools

from django.urls import get_script_prefix, reverse

SLUG = "--slug--"


def path(name: str, slug: str) -> str:
    """``reverse(name, kwargs={"slug": slug})``, reversed once per name."""
    return _template(get_script_prefix(), name).replace(SLUG, slug)


@functools.cache
def _template(prefix: str, name: str) -> str:
    return reverse(name, kwargs={"slug": SLUG})
