"""Where a webhook may go: public internet addresses only, unless WEBHOOKS_ALLOW_PRIVATE (tests, development).

Checked when an endpoint is registered and again before every send; the
request then goes to the very address checked (no second DNS answer).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import RuleViolation


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(url: str) -> list[str]:
    """The addresses ``url`` may be sent to; RuleViolation (field ``url``) when any of them is refused."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise RuleViolation(_("The address must start with https://."), field="url", code="webhook_not_https")
    if not parts.hostname or parts.username or parts.password:
        raise RuleViolation(_("Enter a valid URL."), field="url", code="invalid")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise RuleViolation(
            _("The address %(host)s cannot be found.") % {"host": parts.hostname}, field="url", code="webhook_dns"
        ) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not addresses:
        raise RuleViolation(
            _("The address %(host)s cannot be found.") % {"host": parts.hostname}, field="url", code="webhook_dns"
        )
    if not allow_private and any(_refused(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        raise RuleViolation(
            _("The address points into a private network; webhooks go only to public internet addresses."),
            field="url",
            code="webhook_private",
        )
    return addresses
