"""Outbound HTTP that reaches public addresses only, checked on the address actually connected to.

A URL is checked when it is saved (`refuse_non_public_url`), but a name can resolve elsewhere
by the time it is used (DNS rebinding), so `PublicOnlyTransport` checks again at connection
time: it resolves the name itself, checks every address, and connects to a checked address.
The URL, the `Host` header and TLS (SNI and certificate verification against the name) are
httpx's as usual; only the socket's address is chosen here. No proxies from the environment:
a proxy would connect wherever it likes.

The resolver is a parameter so that an application (and a test) can bring its own; the default
asks the system's resolver, as httpx would.
"""

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from ipaddress import IPv4Address, ip_address

import anyio
import httpcore
import httpx

from laurel.kit.addresses import AmbiguousAddress, IPAddress, address_literal, why_not_public

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for a host name, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class DestinationRefused(Exception):
    """The destination is, or resolves to, an address outbound requests may not reach."""


async def checked_addresses(
    host: str, port: int, resolver: Resolver, *, allow_private: bool = False
) -> list[IPAddress]:
    """The addresses `host` stands for, every one of them public unless `allow_private`.

    Raises DestinationRefused when one is not (one bad answer taints the name: which one a
    client would pick is not ours to predict), and OSError when the name does not resolve.
    """
    try:
        literal = address_literal(host)
    except AmbiguousAddress as ambiguous:
        if not allow_private:
            raise DestinationRefused(str(ambiguous)) from None
        literal = IPv4Address(socket.inet_aton(host))
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        addresses = [ip_address(answer) for answer in await resolver(host, port)]
        if not addresses:
            raise OSError(f"{host} resolves to no address")
    if not allow_private:
        for address in addresses:
            reason = why_not_public(address)
            if reason is not None:
                where = "is" if literal is not None else f"{host} resolves to"
                raise DestinationRefused(f"{where} a non-public address ({address}: {reason})")
    return addresses


def url_origin(url: str) -> tuple[str, int]:
    """The host and port a URL connects to, as httpx reads them (IDNA-encoded, no brackets)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise DestinationRefused(f"not a valid URL ({error})") from None
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise DestinationRefused("the URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not 0 < port < 65536:
        raise DestinationRefused(f"{port} is not a TCP port")
    return host, port


async def refuse_non_public_url(url: str, resolver: Resolver = system_resolver) -> None:
    """Raise DestinationRefused unless the URL's host is, and resolves only to, public addresses.

    For saving a URL; the connection is checked again by PublicOnlyTransport.
    """
    host, port = url_origin(url)
    try:
        await checked_addresses(host, port, resolver)
    except OSError as error:
        raise DestinationRefused(f"cannot resolve {host}: {error}") from None


class CheckedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses it has resolved and checked."""

    def __init__(self, resolver: Resolver, *, allow_private: bool) -> None:
        self.resolver = resolver
        self.allow_private = allow_private
        self._sockets = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await checked_addresses(
                    host, port, self.resolver, allow_private=self.allow_private
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._sockets.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise DestinationRefused("outbound requests do not use Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._sockets.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, connecting through CheckedNetworkBackend.

    httpx has no resolver hook, but its connection pool (httpcore's) takes a network backend:
    the pool is rebuilt here with one, so requests, responses, TLS and the mapping of errors
    stay httpx's own. Connections are pooled by host name, so a kept-alive connection is one
    that was checked when it was opened.
    """

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        allow_private: bool = False,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=verify, trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedNetworkBackend(resolver, allow_private=allow_private),
        )


def public_only_client(
    *,
    resolver: Resolver = system_resolver,
    allow_private: bool = False,
    timeout: float = 10,
    verify: ssl.SSLContext | bool = True,
) -> httpx.AsyncClient:
    """An httpx client that reaches public addresses only and never follows a redirect."""
    transport = PublicOnlyTransport(resolver=resolver, allow_private=allow_private, verify=verify)
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
    )
