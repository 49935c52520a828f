"""The client's address, as the per-IP rate limits must see it.

Behind a TLS-terminating proxy every request comes from the proxy's address;
each trusted proxy appends the address it received the request from to
``X-Forwarded-For``. ``TRUSTED_PROXY_COUNT`` says how many of those entries,
counted from the right, were written by proxies we run. Anything to the left
of them was written by the client and is never believed, and with no proxy
configured (the default) the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def _address(value):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The address of the client that sent ``request``; the peer's address when no proxy is trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded.strip():
        entries = [entry for entry in forwarded.split(",") if entry.strip()]
        # The entry our outermost proxy wrote; with fewer entries than proxies,
        # the request passed fewer of ours and the leftmost one is still theirs.
        candidate = entries[max(len(entries) - count, 0)] if entries else ""
        address = _address(candidate)
        if address:
            return address
    return _address(remote) or remote
