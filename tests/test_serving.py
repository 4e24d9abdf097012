"""`laurel serve` and slow or too many clients, over raw sockets against a real server process.

A client gets a bounded time to send its headers and, after them, its body; beyond the connection
limit requests are refused with 503. Each socket waits at most SOCKET_TIMEOUT for the server: a
server that kept the connection open that long has failed the test.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import orjson
import pytest

from tests.fixtures.processes import free_port

LAUREL = [sys.executable, "-m", "laurel"]
SOCKET_TIMEOUT = 30.0


@dataclass
class Server:
    port: int
    organization_token: str
    personal_token: str

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT)


@dataclass
class Deployment:
    """A migrated database with a demo organization, for servers to serve."""

    env: dict[str, str]
    organization_token: str
    personal_token: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    directory = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": f"sqlite:///{directory / 'serve.db'}",
        "LAUREL_LOG_LEVEL": "WARNING",
    }

    def run(*command: str) -> str:
        return subprocess.run(
            [*LAUREL, *command], env=env, capture_output=True, text=True, timeout=120, check=True
        ).stdout

    run("db", "upgrade")
    organization_token, personal_token, _template_id = run("demo").split()
    return Deployment(env, organization_token, personal_token)


def start_server(deployment: Deployment, **settings: str) -> Iterator[Server]:
    port = free_port()
    env = {
        **deployment.env,
        "LAUREL_PORT": str(port),
        **{f"LAUREL_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen([*LAUREL, "serve"], env=env, stdout=subprocess.DEVNULL)
    server = Server(port, deployment.organization_token, deployment.personal_token)
    try:
        for _ in range(600):
            if process.poll() is not None:
                pytest.fail("laurel serve exited")
            try:
                with server.connect() as probe:
                    probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: laurel\r\n\r\n")
                    if probe.recv(12) == b"HTTP/1.1 200":
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("laurel serve did not answer")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def impatient(deployment: Deployment) -> Iterator[Server]:
    """A server that gives clients one second for their headers and one for their body."""
    yield from start_server(
        deployment, header_timeout_seconds="1", body_timeout_seconds="1", max_header_bytes="8192"
    )


@pytest.fixture(scope="module")
def small(deployment: Deployment) -> Iterator[Server]:
    """A server that serves two connections at a time (and is patient with them)."""
    yield from start_server(deployment, max_connections="2")


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def read_response(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One response, leaving the connection open."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    status, headers, body = split_response(received)
    while len(body) < int(headers["content-length"]):
        body += connection.recv(65536)
    return status, headers, body


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_a_client_that_stalls_in_its_headers_is_disconnected(impatient: Server) -> None:
    with impatient.connect() as stalled:
        stalled.sendall(b"GET /healthz HTTP/1.1\r\nHost: laurel\r\nAccept: ")
        assert read_until_closed(stalled) == b"", "closed, with no answer"
    with impatient.connect() as silent:
        assert read_until_closed(silent) == b""


def test_the_next_request_on_a_kept_alive_connection_has_the_same_deadline(
    impatient: Server,
) -> None:
    with impatient.connect() as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: laurel\r\n\r\n")
        assert read_response(connection)[0] == 200
        # The keep-alive timer now runs; the next request's first bytes disarm it.
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: ")
        assert read_until_closed(connection) == b""


def test_headers_larger_than_allowed_are_a_431(impatient: Server) -> None:
    with impatient.connect() as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: laurel\r\nX-Pad: " + b"a" * 20_000)
        status, headers, _ = split_response(read_until_closed(connection))
    assert (status, headers["connection"]) == (431, "close")


def stalled_body(path: str, token: str, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: laurel\r\nAuthorization: Bearer {token}\r\n{extra}"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        '{"name": '
    ).encode()


def test_a_body_that_stalls_is_a_408_in_the_api_format(impatient: Server) -> None:
    certifier = stalled_body(
        "/v1/designs", impatient.organization_token, "Certifier-Version: 2022-10-26\r\n"
    )
    with impatient.connect() as connection:
        connection.sendall(certifier)
        status, headers, body = split_response(read_until_closed(connection))
    assert (status, headers["connection"], headers["content-type"]) == (
        408,
        "close",
        "application/json",
    )
    assert orjson.loads(body)["error"]["code"] == "request_timeout"

    with impatient.connect() as connection:
        connection.sendall(stalled_body("/v1/certifications", impatient.personal_token))
        status, headers, body = split_response(read_until_closed(connection))
    assert (status, headers["content-type"]) == (408, "application/problem+json")
    assert orjson.loads(body)["code"] == "request_timeout"


def test_an_answer_before_the_body_arrived_ends_the_connection(impatient: Server) -> None:
    """The body is never read (the token is refused first): trickling the rest of it does not
    keep the connection open (each byte would otherwise reset its keep-alive timer)."""
    with impatient.connect() as connection:
        connection.sendall(stalled_body("/v1/designs", "not-a-token"))
        assert read_response(connection)[0] == 401
        connection.settimeout(0.2)
        for _ in range(100):  # 20 s of trickling, four times the keep-alive timeout
            try:
                connection.sendall(b" ")
                if connection.recv(1) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:  # reset: closed too
                return
    pytest.fail("the connection stayed open while the client trickled an unread body")


def test_requests_beyond_the_connection_limit_are_503s(small: Server) -> None:
    held = [small.connect() for _ in range(2)]
    try:
        for connection in held:
            connection.sendall(b"GET /healthz HTTP/1.1\r\n")  # the server now holds two
        time.sleep(0.5)  # let the server take both connections in before the third comes
        for path, content_type in (
            ("/v1/groups", "application/json"),
            ("/v1/me", "application/problem+json"),
        ):
            with small.connect() as refused:
                refused.sendall(f"GET {path} HTTP/1.1\r\nHost: laurel\r\n\r\n".encode())
                status, headers, body = split_response(read_until_closed(refused))
            assert (status, headers["content-type"]) == (503, content_type)
            assert int(headers["retry-after"]) > 0
            assert b"service_unavailable" in body
    finally:
        for connection in held:
            connection.close()
    time.sleep(0.5)  # let the server see them closed
    with small.connect() as served:
        served.sendall(b"GET /healthz HTTP/1.1\r\nHost: laurel\r\nConnection: close\r\n\r\n")
        assert split_response(read_until_closed(served))[0] == 200
