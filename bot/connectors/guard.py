"""Where a source may reach: http(s) only, never a link-local or cloud-metadata address (the
deny-list is configurable), checked for every address a host resolves to and again after each
redirect."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from bot.domain.sources import SourceProblem

DEFAULT_DENIED = "169.254.0.0/16,fe80::/10,100.100.100.200/32,fd00:ec2::254/128,0.0.0.0/8"


def denied_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def check_url(url: str, denied) -> None:
    """Refuse a URL the bot must not call: another scheme, or a host on a denied network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceProblem("source.error.bad_scheme", url=url[:80])
    check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), denied)


def check_host(host: str, port: int, denied) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError):
        raise SourceProblem("source.error.unknown_host", host=host[:80]) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in network for network in denied):
            raise SourceProblem("source.error.denied_host", host=host[:80])
