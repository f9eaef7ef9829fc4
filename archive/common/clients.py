"""Who is asking: the address a request came from, behind the proxies the settings
trust (login throttling, rate limits and alerts' limits count by it)."""

import functools
import ipaddress
import logging

from django.conf import settings

log = logging.getLogger(__name__)


def client_address(request) -> str:
    """The address of whoever sent the request, for login throttling and rates.

    Behind ``PROXY_COUNT`` proxies (production, ``DJANGO_PROXY_COUNT``), it is
    the entry the nearest of them added to ``X-Forwarded-For``, counted from
    the right: entries further left are whatever the client claimed. The
    header counts only on a request that came from one of ``TRUSTED_PROXIES``
    (``DJANGO_TRUSTED_PROXIES``): a client reaching the server directly could
    write anything there.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if count and "HTTP_X_FORWARDED_FOR" in request.META and _trusted_proxy(remote):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return remote


def _trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip  # "::ffff:127.0.0.1" is 127.0.0.1
    if any(ip in network for network in trusted_networks(tuple(settings.TRUSTED_PROXIES))):
        return True
    if not _warned:
        _warned.append(address)
        log.warning(
            "X-Forwarded-For came from %s, which DJANGO_TRUSTED_PROXIES does not list: "
            "ignored. If that is the proxy, add its address.",
            address,
        )
    return False


_warned: list[str] = []  # the warning above is given once a process


@functools.lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> list:
    """The networks of ``TRUSTED_PROXIES`` (the settings refuse an entry that is none)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]
