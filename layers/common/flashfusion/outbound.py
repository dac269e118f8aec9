"""The one outbound-URL policy: where a request carrying an account's credentials (or any request to a
URL someone configured) may go. Every publisher and provider whose URL comes from account settings or
the model matrix checks it here, at send time; the API checks account settings here before storing.

Rules (no SSRF):

- https only; no user:password in the URL; a host is required.
- Known cloud-metadata names are refused outright (metadata.google.internal, ...).
- The host is resolved (or taken as a literal IP) and refused when ANY address is private, loopback,
  link-local, multicast, reserved, unspecified, shared (100.64/10) or a cloud metadata address
  (169.254.169.254, fd00:ec2::254, ...). IPv4-mapped IPv6 addresses are judged as IPv4.
- Redirects are never followed by publisher or generic-http clients (a redirect could carry the
  credentials elsewhere); callers pass ``follow_redirects=False``.

Not covered: a DNS answer that changes between this check and the connection (rebinding); deployments
that need that guarantee should send through an egress proxy.

Resolution is injectable: pass ``resolver=``, or swap the process default with ``use_resolver`` (tests
never resolve real names).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flashfusion.errors import UnsafeDestination

Resolver = Callable[[str], list[str]]

METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)


def system_resolver(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeDestination(f"host {host!r} does not resolve") from error
    return sorted({str(info[4][0]) for info in infos})


_default_resolver: list[Resolver] = [system_resolver]


@contextmanager
def use_resolver(resolver: Resolver) -> Iterator[None]:
    """Replace the process-wide default resolver for the duration (tests)."""
    saved = _default_resolver[0]
    _default_resolver[0] = resolver
    try:
        yield
    finally:
        _default_resolver[0] = saved


def default_resolver() -> Resolver:
    return _default_resolver[0]


def _unsafe_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why ``ip`` may not be contacted, or "" when it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for label, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return f"a {label} address"
    if not ip.is_global:
        return "not a public address"
    return ""


def check_url(url: str, *, resolver: Resolver | None = None) -> str:
    """``url`` without a trailing slash when it may receive requests; UnsafeDestination otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeDestination("no URL given")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise UnsafeDestination("must be an https:// URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("must not embed credentials")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise UnsafeDestination("has no host")
    try:
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError as error:
        raise UnsafeDestination("has a malformed port") from error
    if host in METADATA_HOSTS or host == "localhost" or host.endswith(".localhost"):
        raise UnsafeDestination(f"host {host!r} is internal")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = (resolver or default_resolver())(host)
    if not addresses:
        raise UnsafeDestination(f"host {host!r} does not resolve")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError as error:
            raise UnsafeDestination(f"host {host!r} resolves to an unusable address") from error
        reason = _unsafe_address(ip)
        if reason:
            raise UnsafeDestination(f"host {host!r} resolves to {reason} ({ip})")
    return url.rstrip("/")


def is_url_setting(key: str, value: Any) -> bool:
    """Account settings that name where requests (and so credentials) go: keys ending in "url", or any
    value that looks like a URL."""
    if key.lower().endswith("url"):
        return True
    return isinstance(value, str) and "://" in value


def url_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in settings.items() if is_url_setting(k, v)}


def host_of(url: Any) -> str:
    """The host of a URL-valued setting, for audit records (never the path or query: they may hold secrets)."""
    if not isinstance(url, str):
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
