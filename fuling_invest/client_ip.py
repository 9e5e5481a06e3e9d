"""The client's address as the login throttle (django-axes) sees it: AXES_CLIENT_IP_CALLABLE.

Behind PROXY_COUNT reverse proxies, each proxy appends the address it received the request from
to X-Forwarded-For, so the client's address is the PROXY_COUNT-th entry from the right; every
entry to the left of it is whatever the client chose to send, and is never read. Without a proxy
(PROXY_COUNT=0) the header is ignored altogether, so no one can forge it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; REMOTE_ADDR (the peer, e.g. the proxy) when X-Forwarded-For does
    not hold as many entries as there are proxies or the entry read is not an IP address."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.PROXY_COUNT)
    return forwarded or remote


def forwarded_client(header: str, proxy_count: int) -> str | None:
    """The address `proxy_count` trusted proxies put in the X-Forwarded-For `header`, or None."""
    if proxy_count < 1:
        return None
    entries = [entry.strip() for entry in header.split(",")]
    if len(entries) < proxy_count:
        return None
    try:
        return str(ipaddress.ip_address(entries[-proxy_count]))
    except ValueError:
        return None
