"""What an outbound request may reach: addresses classified by what they really reach."""

from ipaddress import ip_address

import pytest

from laurel.kit.addresses import (
    AmbiguousAddress,
    address_literal,
    is_public_address,
    why_not_public,
)

# Teredo carries its client's address XOR 0xffffffff: f5ff:fffe is 10.0.0.1.
TEREDO_OF_10_0_0_1 = "2001:0:4136:e378:8000:63bf:f5ff:fffe"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared address space (carrier-grade NAT)"),
        ("0.0.0.0", "'this network'"),
        ("0.1.2.3", "'this network'"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("198.18.0.1", "benchmarking"),
        ("198.19.255.255", "benchmarking"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.1", "documentation"),
        ("203.0.113.1", "documentation"),
        ("192.0.0.9", "IETF protocol assignments"),
        ("192.88.99.1", "6to4 relay anycast"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1, loopback"),
        ("::ffff:a9fe:a9fe", "IPv4-mapped 169.254.169.254, link-local"),
        ("::127.0.0.1", "IPv4-compatible of 127.0.0.1, loopback"),
        ("::8.8.8.8", "IPv4-compatible of 8.8.8.8"),
        ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1, loopback"),
        ("64:ff9b::a00:1", "NAT64 of 10.0.0.1, private"),
        ("64:ff9b:1::a00:1", "local-use NAT64 of 10.0.0.1, private"),
        ("64:ff9b:1::808:808", "local-use NAT64 of 8.8.8.8"),
        ("2002:7f00:1::", "6to4 of 127.0.0.1, loopback"),
        ("2002:a9fe:a9fe::1", "6to4 of 169.254.169.254, link-local"),
        ("2002:808:808::", "6to4 of 8.8.8.8"),
        (TEREDO_OF_10_0_0_1, "Teredo of 10.0.0.1, private"),
        ("fec0::1", "site-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "has a zone identifier"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("100::1", "discard-only"),
        ("2001:2::1", "IETF protocol assignments"),
        ("5f00::1", "segment routing"),
        ("4000::1", "reserved"),
    ],
)
def test_non_public_addresses_and_why(address: str, reason: str) -> None:
    parsed = ip_address(address)
    assert why_not_public(parsed) == reason
    assert not is_public_address(parsed)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001::200e",
     "::ffff:8.8.8.8", "64:ff9b::808:808"],
)  # fmt: skip
def test_public_addresses(address: str) -> None:
    assert why_not_public(ip_address(address)) is None
    assert is_public_address(ip_address(address))


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "0x7f000001", "127.1", "017700000001", "10.1"]
)
def test_ipv4_shorthands_are_ambiguous(host: str) -> None:
    with pytest.raises(AmbiguousAddress, match="four decimal numbers"):
        address_literal(host)


@pytest.mark.parametrize(
    ("host", "literal"),
    [
        ("127.0.0.1", ip_address("127.0.0.1")),
        ("[::1]", ip_address("::1")),
        ("::ffff:7f00:1", ip_address("::ffff:127.0.0.1")),
        ("example.org", None),
        ("1e100.net", None),
    ],
)
def test_address_literals(host: str, literal: object) -> None:
    assert address_literal(host) == literal
