"""Which push endpoints Samplan calls: the browsers' own push services, and nothing else.

A push subscription is a URL that the browser hands over and that the outbox worker later POSTs
to. Taken on trust, anyone signed in could make Samplan's servers call any address of their own
network (`https://169.254.169.254/…`, `https://10.0.0.1/…`: SSRF). So an endpoint must be
`https` on the default port, at most MAX_LENGTH characters, without user info or fragment, on a
host of the deployment's list (`PUSH_SERVICE_HOSTS`), and every address that host resolves to
must be a public one: checked when the browser subscribes and again before each push, since a
name's addresses can change in between.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

MAX_LENGTH = 2000
# A DNS name (letters, digits, hyphens; a top-level label of letters): never an IP literal.
HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedEndpoint(ValueError):
    """An endpoint Samplan does not call. `lasting` when the URL itself is the reason (it will
    never do); not when it is what its host resolves to now (that may change)."""

    def __init__(self, reason: str, lasting: bool = True) -> None:
        super().__init__(reason)
        self.lasting = lasting


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to now (the tests replace this: they look no name up)."""
    found = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in found]


def is_public(text: str) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    multicast, reserved or unspecified (nor an IPv6 form of one of those)."""
    address: IPAddress = ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 zone
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address.sixtofour or address
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _listed(host: str, hosts: Iterable[str]) -> bool:
    """`host` is one of `hosts`, or below one given as "*.<domain>" (not the domain itself)."""
    for allowed in hosts:
        if allowed.startswith("*."):
            suffix = allowed[1:]
            if host.endswith(suffix) and len(host) > len(suffix):
                return True
        elif host == allowed:
            return True
    return False


def push_service_host(endpoint: str, hosts: Iterable[str]) -> str:
    """The host of an endpoint on one of `hosts`, over https on the default port. Raises
    RefusedEndpoint (lasting) for anything else."""
    if not endpoint or len(endpoint) > MAX_LENGTH:
        raise RefusedEndpoint("no endpoint, or a longer one than any push service gives")
    if not (endpoint.isascii() and endpoint.isprintable()) or " " in endpoint or "\\" in endpoint:
        raise RefusedEndpoint("characters no push service's URL has")
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        raise RefusedEndpoint("not a port") from None
    if parts.scheme != "https" or port not in (None, 443):
        raise RefusedEndpoint("not https on the default port")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise RefusedEndpoint("user info or a fragment")
    host = parts.hostname or ""
    if not HOST.fullmatch(host) or not _listed(host, hosts):
        raise RefusedEndpoint(f"{host or 'no host'} is not a push service Samplan sends to")
    return host


def check_addresses(host: str) -> None:
    """Raises RefusedEndpoint (not lasting) unless `host` resolves, and only to public
    addresses."""
    try:
        addresses = resolve(host)
    except (OSError, UnicodeError) as error:
        raise RefusedEndpoint(f"{host} does not resolve: {error}", lasting=False) from None
    inside = [address for address in addresses if not is_public(address)]
    if inside or not addresses:
        shown = ", ".join(inside) or "nothing"
        raise RefusedEndpoint(f"{host} resolves to {shown}, not the internet", lasting=False)


def check(endpoint: str, hosts: Iterable[str]) -> None:
    """Raises RefusedEndpoint unless Samplan may push to `endpoint` now."""
    check_addresses(push_service_host(endpoint, hosts))
