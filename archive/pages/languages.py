"""The reader's language: a link that switches it and returns to the same page.

A link, not Django's ``set_language`` form: every page offers the switch, and a
form would need a CSRF token (a cookie) on pages that are otherwise cacheable.
The choice is kept in Django's language cookie, so ``LocaleMiddleware`` reads it
on every later request; without it the browser's ``Accept-Language`` decides.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

ONE_YEAR = 365 * 24 * 60 * 60


def switch(request, code: str):
    """Keep ``code`` as the reader's language and go back to ``next`` (this site only)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    back = request.GET.get("next", "/")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def other_languages(request) -> dict:
    """Context for every page: the languages to switch to, each with its link."""
    here = request.get_full_path()
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    return {
        "language_links": [
            (code, name, f"{reverse('archive:language', args=[code])}?{urlencode({'next': here})}")
            for code, name in settings.LANGUAGES
            if code != current
        ]
    }
