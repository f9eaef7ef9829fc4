"""Request handling shared by every page: what reaches views."""

from django.http import Http404, QueryDict


class StripNulMiddleware:
    """Removes NUL characters from query parameters, which PostgreSQL refuses in text,
    and answers 404 to a path with one (no address of the archive holds one).

    Public pages clean their parameters themselves; this covers every other
    view, the admin's list filters included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No address of the archive holds a NUL character.")
        if "\x00" in request.GET.urlencode() or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
