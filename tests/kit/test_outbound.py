"""The public-only client against a real TLS server on loopback: the socket goes to the
resolver's checked answer, while SNI and certificate verification stay with the host name."""

import datetime
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from laurel.kit.outbound import DestinationRefused, public_only_client, refuse_non_public_url
from tests.fixtures.resolver import StubResolver


def _self_signed(name: str, directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class TlsServer:
    port: int
    trust: ssl.SSLContext
    server_names: list[str | None] = field(default_factory=list)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TlsServer]:
    """An HTTPS server on 127.0.0.1 whose certificate names only `hooks.test`."""
    cert, key = _self_signed("hooks.test", tmp_path)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    found = TlsServer(server.server_address[1], ssl.create_default_context(cafile=str(cert)))
    context.sni_callback = lambda _socket, name, _context: found.server_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


RESOLVER_ANSWERS = {"hooks.test": [["127.0.0.1"]], "other.test": [["127.0.0.1"]]}


async def test_tls_is_verified_against_the_name_while_the_socket_goes_to_the_checked_ip(
    tls_server: TlsServer,
) -> None:
    resolver = StubResolver({k: list(v) for k, v in RESOLVER_ANSWERS.items()})
    async with public_only_client(
        resolver=resolver, allow_private=True, verify=tls_server.trust
    ) as client:
        response = await client.get(f"https://hooks.test:{tls_server.port}/")
        assert response.status_code == 200
        assert tls_server.server_names == ["hooks.test"]
        # Same address, another name: the certificate does not name it, so TLS fails.
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(f"https://other.test:{tls_server.port}/")
    assert resolver.asked == ["hooks.test", "other.test"]


async def test_without_private_addresses_the_connection_is_refused(tls_server: TlsServer) -> None:
    resolver = StubResolver({k: list(v) for k, v in RESOLVER_ANSWERS.items()})
    async with public_only_client(resolver=resolver, verify=tls_server.trust) as client:
        with pytest.raises(DestinationRefused, match=r"127\.0\.0\.1: loopback"):
            await client.get(f"https://hooks.test:{tls_server.port}/")
        with pytest.raises(DestinationRefused, match="four decimal numbers"):
            await client.get(f"https://2130706433:{tls_server.port}/")
    assert tls_server.server_names == [], "no connection was made"


async def test_saving_refuses_what_connecting_would() -> None:
    resolver = StubResolver({"hooks.test": [["127.0.0.1"]], "public.test": [["8.8.8.8"]]})
    await refuse_non_public_url("https://public.test/x", resolver)
    for url in ("https://hooks.test/x", "http://[::ffff:7f00:1]/", "http://127.0.0.1:70000/"):
        with pytest.raises(DestinationRefused):
            await refuse_non_public_url(url, resolver)
