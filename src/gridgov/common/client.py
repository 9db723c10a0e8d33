"""The client's address, for rate limits, login throttling and audit rows.

Behind a reverse proxy every request comes from the proxy, so the address must be read
from a header the proxy sets; but a header a client sets itself is a lie. Only the
configured header is read (`GRIDGOV_CLIENT_IP_HEADER`, e.g. X-Forwarded-For), and only
the entry appended by our own proxies (`GRIDGOV_TRUSTED_PROXIES` of them, counted from
the right), never the left-most entry the client wrote.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    header = getattr(settings, "GRIDGOV_CLIENT_IP_HEADER", "")
    if not header:
        return remote
    meta_key = "HTTP_" + header.upper().replace("-", "_")
    chain = [part.strip() for part in request.META.get(meta_key, "").split(",") if part.strip()]
    proxies = max(1, int(getattr(settings, "GRIDGOV_TRUSTED_PROXIES", 1)))
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_address_for_ratelimit(group: str, request: HttpRequest) -> str:
    """A django-ratelimit key function (`key="gridgov.common.client.client_address_for_ratelimit"`)."""
    return client_address(request)
