"""Which IP addresses an outbound request (a webhook, a did:web document) may reach.

An address is public when what it really reaches is a globally routable unicast host. IPv6
forms that carry an IPv4 address are unwrapped and the IPv4 address is classified too:
IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) reach exactly that IPv4 address,
so they are as public as it is; IPv4-compatible (`::a.b.c.d`, deprecated), local-use NAT64
(`64:ff9b:1::/48`), 6to4 (`2002::/16`, bits 16-48) and Teredo (`2001::/32`, the client address
XOR 0xffffffff) are transition or site-local mechanisms that a webhook has no business using,
and are refused whatever they carry (the embedded address is named in the reason).

`ipaddress` is the base (`is_global`), but its tables change between Python patch releases
(3.11.7 calls `fec0::1`, `2002:a00:1::` and `64:ff9b:1::1` global), so the IANA special-purpose
registries are also listed here, and IPv6 must be global unicast (`2000::/3`).
"""

import ipaddress
import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

# IANA IPv4 Special-Purpose Address Registry: every block not globally reachable, and
# the few "globally reachable" ones no webhook can mean (anycast relays, 192.0.0.0/24).
_IPV4_SPECIAL: list[tuple[IPv4Network, str]] = [
    (IPv4Network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
]

# IANA IPv6 Special-Purpose Address Registry and other non-unicast blocks. The blocks that
# carry an IPv4 address (::ffff:0:0/96, 64:ff9b::/96, 2002::/16, 2001::/32) are handled first.
_IPV6_SPECIAL: list[tuple[IPv6Network, str]] = [
    (IPv6Network(network), reason)
    for network, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("100::/64", "discard-only"),
        ("100:0:0:1::/64", "dummy prefix"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "segment routing"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
]
_GLOBAL_UNICAST = IPv6Network("2000::/3")
_NAT64 = IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = IPv6Network("::/96")


def _last_32_bits(address: IPv6Address) -> IPv4Address:
    return IPv4Address(int(address) & 0xFFFFFFFF)


def _ipv4_reason(address: IPv4Address) -> str | None:
    for network, reason in _IPV4_SPECIAL:
        if address in network:
            return reason
    if not address.is_global:
        return "not globally routable"
    return None


def _ipv6_reason(address: IPv6Address) -> str | None:
    if address.scope_id:
        return "has a zone identifier"
    if address.ipv4_mapped is not None:
        embedded = _ipv4_reason(address.ipv4_mapped)
        return f"IPv4-mapped {address.ipv4_mapped}, {embedded}" if embedded else None
    if address in _NAT64:
        ipv4 = _last_32_bits(address)
        embedded = _ipv4_reason(ipv4)
        return f"NAT64 of {ipv4}, {embedded}" if embedded else None
    wrapped = _wrapped_ipv4(address)
    if wrapped is not None:
        kind, ipv4 = wrapped
        embedded = _ipv4_reason(ipv4)
        return f"{kind} of {ipv4}" + (f", {embedded}" if embedded else "")
    for network, reason in _IPV6_SPECIAL:
        if address in network:
            return reason
    if address not in _GLOBAL_UNICAST:
        return "reserved"
    if not address.is_global:
        return "not globally routable"
    return None


def _wrapped_ipv4(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The refused transition forms and the IPv4 address each carries."""
    if address.teredo is not None:
        return "Teredo", address.teredo[1]  # the client, already XORed with 0xffffffff
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in _LOCAL_NAT64:
        return "local-use NAT64", _last_32_bits(address)
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return "IPv4-compatible", _last_32_bits(address)
    return None


def why_not_public(address: IPAddress) -> str | None:
    """Why the address is not a public unicast host (`"loopback"`, `"6to4 of 10.0.0.1,
    private"`), or None when it is one."""
    if isinstance(address, IPv4Address):
        return _ipv4_reason(address)
    return _ipv6_reason(address)


def is_public_address(address: IPAddress) -> bool:
    """Whether the address, once unwrapped, reaches a globally routable unicast host."""
    return why_not_public(address) is None


class AmbiguousAddress(ValueError):
    """A host written as an IPv4 address in a shorthand (`2130706433`, `0x7f.1`, `127.1`)."""


def address_literal(host: str) -> IPAddress | None:
    """The IP address a URL's host names literally, or None for a domain name.

    IPv4 is accepted only as four decimal numbers: the C library's resolver also reads
    `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` as 127.0.0.1, forms that would slip past
    any check looking for dotted quads, so they raise AmbiguousAddress instead.
    """
    host = host.removeprefix("[").removesuffix("]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise AmbiguousAddress(f"write the IPv4 address {host!r} as four decimal numbers (a.b.c.d)")
