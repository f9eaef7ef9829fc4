"""Request handling shared by every page: what reaches views and who is asking."""

from django.conf import settings
from django.http import QueryDict


def client_address(request) -> str:
    """The address of whoever sent the request, for login throttling.

    Behind ``PROXY_COUNT`` proxies (production, ``DJANGO_PROXY_COUNT``), it is
    the entry the nearest of them added to ``X-Forwarded-For``, counted from
    the right: entries further left are whatever the client claimed.
    """
    count = settings.PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


class StripNulMiddleware:
    """Removes NUL characters from query parameters, which PostgreSQL refuses in text.

    Public pages clean their parameters themselves; this covers every other
    view, the admin's list filters included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.GET.urlencode() or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
