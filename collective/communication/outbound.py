"""Outgoing HTTP for webhooks, with an SSRF guard.

Only http(s) to public addresses: the host is resolved once, every address it resolves to must
be public, and the request then connects to that resolved address (the Host header and TLS SNI
carry the name), so a DNS answer that changes between the check and the connection (rebinding)
cannot send the request inside the network. Redirects are never followed. Loopback is allowed
only when `COMMUNICATION_WEBHOOKS_ALLOW_LOOPBACK` is set (tests).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
MAX_RESPONSE = 64 * 1024


class UnsafeURL(ValueError):
    """The URL is not one we send requests to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the resolved IP the request connects to


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    duration_ms: int


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "COMMUNICATION_WEBHOOKS_ALLOW_LOOPBACK", False))


def address_problem(address: str) -> str | None:
    """Why a resolved address is refused, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if ip.ipv4_mapped is None and ip.teredo:
            mapped = ip.teredo[1]
        if mapped is not None:
            ip = mapped
    if ip.is_unspecified:
        return "an address that is not public"
    if ip.is_loopback:
        return None if _loopback_allowed() else "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or not ip.is_global:
        return "an address that is not public"
    return None


def resolve(url: str) -> Target:
    """Check the URL and resolve its host once; UnsafeURL says what is wrong."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("The address is not a valid URL.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL("Only http:// and https:// addresses can receive webhooks.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("The address has no host name.")
    if parts.username or parts.password:
        raise UnsafeURL("Put no user name or password in the address.")
    port = port or (443 if scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"The host name {host} does not resolve.") from exc
    addresses = list(dict.fromkeys(a[4][0] for a in answers))
    if not addresses:
        raise UnsafeURL(f"The host name {host} does not resolve.")
    for address in addresses:
        problem = address_problem(address)
        if problem:
            raise UnsafeURL(
                f"{host} resolves to {problem} ({address}); webhooks go only to public addresses."
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name (SNI), not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, *, timeout: float | None = None) -> Response:
    """POST `body` to `url` through the guard. Raises UnsafeURL or OSError."""
    timeout = timeout or READ_TIMEOUT
    target = resolve(url)
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target, timeout=min(timeout, CONNECT_TIMEOUT))
    started = time.monotonic()
    try:
        connection.connect()
        connection.sock.settimeout(timeout)
        connection.request("POST", target.path, body=body, headers=headers)
        reply = connection.getresponse()
        data = reply.read(MAX_RESPONSE)
        return Response(
            status=reply.status,
            headers={k.lower(): v for k, v in reply.getheaders()},
            body=data,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    finally:
        connection.close()
