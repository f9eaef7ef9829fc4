"""Rate limits for anonymous clients of the API and of downloads of whole searches.

A client is its address as ``archive.common.clients.client_address`` finds it
(the proxy's entry in ``X-Forwarded-For`` in production, as for admin
logins), so a client cannot dodge the limit by making one up. Requests are
counted in Django's cache, which every worker shares (the database's by
default), so the limit holds across workers and restarts. Signed-in users
(editors) are not limited. The rates are settings (``ARCHIVE_API_RATE``,
``ARCHIVE_EXPORT_RATE``, ``ARCHIVE_DIFF_RATE``), read on each request; an
empty rate turns a limit off.
"""

import functools
import math
import threading

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja.throttling import SimpleRateThrottle

from ..common.clients import client_address


class _PerThread:
    """An attribute each thread has its own value of: one throttle object serves every
    request of a process, and gunicorn's threaded workers run several at once
    (SimpleRateThrottle keeps the request's key and history on the object)."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, throttle, owner=None):
        if throttle is None:
            return self
        return getattr(throttle._local, self.name, None)

    def __set__(self, throttle, value):
        setattr(throttle._local, self.name, value)


class AnonymousRate(SimpleRateThrottle):
    """Django Ninja's rate throttle, keyed on the client's address, its rate a setting."""

    rate, key, history = _PerThread(), _PerThread(), _PerThread()
    now, num_requests, duration = _PerThread(), _PerThread(), _PerThread()

    def __init__(self, setting: str, scope: str):
        # SimpleRateThrottle reads its rate once, here; ours is read per request.
        self._local = threading.local()
        self.setting = setting
        self.scope = scope

    def allow_request(self, request) -> bool:
        self.rate = getattr(settings, self.setting)
        user = getattr(request, "user", None)
        if not self.rate or (user is not None and user.is_authenticated):
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


def throttled(setting: str, scope: str):
    """A view decorator: 429 Too Many Requests, with Retry-After, past the setting's rate."""
    throttle = AnonymousRate(setting, scope)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if throttle.allow_request(request):
                return view(request, *args, **kwargs)
            return too_many(throttle.wait())

        return wrapped

    return decorator


def too_many(wait: float | None) -> HttpResponse:
    response = HttpResponse(
        _("Too many requests from your address; please wait and try again."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    if wait is not None:
        response["Retry-After"] = str(math.ceil(wait))
    return response
