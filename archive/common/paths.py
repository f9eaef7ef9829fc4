"""The addresses of pages named by one slug (a report's, a term's), reversed once a name.

Lists, exports and feeds write thousands of these: ``reverse`` was a tenth of
a search page's time and most of an export's.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse

SLUG = "--slug--"


def path(name: str, slug: str) -> str:
    """``reverse(name, kwargs={"slug": slug})``, reversed once per name."""
    return _template(get_script_prefix(), name).replace(SLUG, slug)


def site() -> str:
    """The site's address, without the final slash (``ARCHIVE_SITE_URL``): every absolute
    link the archive writes (mails, feeds, the sitemap, the API, citations) starts so,
    whatever address a request came by."""
    return settings.ARCHIVE_SITE_URL.rstrip("/")


def absolute(path_: str) -> str:
    """An absolute address of a path on this site (see ``site``)."""
    return site() + path_


@functools.cache
def _template(prefix: str, name: str) -> str:
    return reverse(name, kwargs={"slug": SLUG})
