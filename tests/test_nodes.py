"""Several nodes for real: two `laurel serve` and two `laurel worker` processes on one fresh
PostgreSQL database and one Redis, one server and one worker killed with SIGKILL mid-run and
restarted. What docs/operations.md ("Several nodes") promises is counted:

- every `Idempotency-Key` made one credential: none doubled, none lost;
- every credential's email was delivered at least once, and repeated only for the one message a
  killed worker had in flight;
- each token's rate limit holds across both servers (Redis).
"""

import asyncio
import signal
import subprocess
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from tests.conftest import (
    POSTGRES_ADMIN_URL,
    VERSION,
    _create_postgres_database,
    _drop_postgres_database,
    postgres_url_for,
    unavailable,
)
from tests.fixtures.mail import SmtpServer
from tests.fixtures.processes import (
    Processes,
    free_port,
    laurel_env,
    run_laurel,
    serve_env,
    wait_until_ready,
)

pytestmark = pytest.mark.nodes

# Half the keys go in while a server and a worker are killed, half after they came back.
KEYS = 160
KILL_AFTER = KEYS // 4
CONCURRENT_REQUESTS = 8
# Per token and day, so that no window boundary falls inside the test: the load stays below it,
# then spends the rest of it across both servers.
RATE_LIMIT = 2 * KEYS
# A retry gives up only on a server that keeps failing: a defect, not a slow machine.
MOST_ATTEMPTS = 100
# A killed worker's jobs return to the others after its lease.
WORKER_LEASE_SECONDS = 3
# Each delivery takes a moment, so that a worker killed mid-run is killed mid-batch.
SMTP_DELAY_SECONDS = 0.02


@pytest.fixture
async def nodes_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of its own, migrated by `laurel db upgrade` in the test."""
    name = f"laurel_nodes_{uuid.uuid4().hex[:12]}"
    try:
        await _create_postgres_database(name)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error}")
    try:
        yield postgres_url_for(name)
    finally:
        await _drop_postgres_database(name)


@dataclass
class Cluster:
    """The nodes: servers by index (each on its own port) and workers by index."""

    env: dict[str, str]
    processes: Processes
    ports: list[int]
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def url(self, server: int) -> str:
        return f"http://127.0.0.1:{self.ports[server]}"

    def start_server(self, server: int) -> subprocess.Popen[bytes]:
        env = serve_env(self.env, self.ports[server])
        return self.processes.start(env, "serve", name=f"server-{server}")

    def start_worker(self, worker: int) -> subprocess.Popen[bytes]:
        args = ("worker", "--batch-size", "5")
        return self.processes.start(self.env, *args, name=f"worker-{worker}")

    async def start(self) -> None:
        self.servers = [self.start_server(n) for n in range(len(self.ports))]
        self.workers = [self.start_worker(n) for n in range(2)]
        await asyncio.gather(
            *(wait_until_ready(self.url(n), p) for n, p in enumerate(self.servers))
        )

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    async def kill_and_restart(self, server: int, worker: int) -> None:
        self.kill(self.servers[server])
        self.kill(self.workers[worker])
        self.servers[server] = self.start_server(server)
        self.workers[worker] = self.start_worker(worker)
        await wait_until_ready(self.url(server), self.servers[server])


@dataclass
class Client:
    """A client of the issuer API behind a load balancer: each retry lands on the next server."""

    http: httpx.AsyncClient
    cluster: Cluster
    token: str
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Certifier-Version": VERSION}

    async def create_issue_send(
        self, key: str, body: dict[str, object], server: int
    ) -> tuple[int, httpx.Response]:
        """POST until answered 200, retrying as a client does on connection errors, 5xx and
        409 (the key in flight elsewhere); the server that answered, and its answer."""
        for _ in range(MOST_ATTEMPTS):
            try:
                response = await self.http.post(
                    f"{self.cluster.url(server)}/v1/credentials/create-issue-send",
                    json=body,
                    headers={**self.headers, "Idempotency-Key": key},
                )
            except httpx.TransportError as error:
                self.failures[type(error).__name__] += 1
            else:
                if response.status_code == 200:
                    return server, response
                # Anything else (a 4xx, a 429) is the test's own mistake or a defect.
                assert response.status_code in (409, 500, 502, 503), response.text
                self.failures[str(response.status_code)] += 1
            server = (server + 1) % len(self.cluster.ports)
            await asyncio.sleep(0.05)
        pytest.fail(f"{key} was never answered: {dict(self.failures)}")


@dataclass
class Load:
    """Keys sent through both servers, a few at a time, and what answered each."""

    client: Client
    template_id: str
    answers: dict[str, dict[str, object]] = field(default_factory=dict)
    answered_by: dict[str, int] = field(default_factory=dict)

    async def send(self, keys: list[str]) -> None:
        limit = asyncio.Semaphore(CONCURRENT_REQUESTS)

        async def one(n: int, key: str) -> None:
            async with limit:
                server, response = await self.client.create_issue_send(key, self.body(key), n % 2)
            self.answers[key] = response.json()
            self.answered_by[key] = server

        await asyncio.gather(*(one(n, key) for n, key in enumerate(keys)))

    def body(self, key: str) -> dict[str, object]:
        return {
            "groupId": self.template_id,
            "recipient": {"name": f"Person {key}", "email": recipient(key)},
        }


def recipient(key: str) -> str:
    return f"{key}@example.org"


@asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


async def wait_until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(1200):
        if await condition():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"never came true: {what}")


async def test_two_servers_and_two_workers_each_survive_a_kill(
    nodes_database: str, redis_url: str, smtp_server: SmtpServer, processes: Processes
) -> None:
    smtp_server.catcher.rcpt_delay = SMTP_DELAY_SECONDS
    env = laurel_env(
        nodes_database,
        redis_url=redis_url,
        rate_limit=f"{RATE_LIMIT}/day",
        smtp_url=smtp_server.url,
        public_url="http://laurel.nodes.test",
        run_worker_in_process="false",
        worker_lease_seconds=str(WORKER_LEASE_SECONDS),
        worker_poll_seconds="0.1",
    )
    await run_laurel(env, "db", "upgrade")
    cluster = Cluster(env, processes, [free_port(), free_port()])
    demo, _ = await asyncio.gather(run_laurel(env, "demo"), cluster.start())
    token, _personal_token, template_id = demo.splitlines()
    keys = [f"nodes-{n:04d}" for n in range(KEYS)]
    limits = httpx.Limits(max_connections=CONCURRENT_REQUESTS * 2)
    async with (
        connected(nodes_database) as database,
        httpx.AsyncClient(timeout=60, limits=limits) as http,
    ):
        client = Client(http, cluster, token)
        load = Load(client, template_id)

        # A server and a worker killed with requests and deliveries in flight, then restarted.
        first_half = asyncio.create_task(load.send(keys[: KEYS // 2]))

        async def first_answers() -> bool:
            return len(load.answers) >= KILL_AFTER

        await wait_until(first_answers, "the first answers")
        await cluster.kill_and_restart(server=0, worker=0)
        await first_half
        await load.send(keys[KEYS // 2 :])

        # None lost, none doubled: one credential per key, each answered with its own.
        credentials = await database.fetch("SELECT id, recipient_email FROM credentials")
        assert len(credentials) == KEYS
        assert Counter(row["recipient_email"] for row in credentials) == Counter(
            recipient(key) for key in keys
        )
        credential_of = {row["recipient_email"]: row["id"] for row in credentials}
        assert {key: load.answers[key]["id"] for key in keys} == {
            key: credential_of[recipient(key)] for key in keys
        }
        # The restarted server answers, and either server replays any key's answer.
        after_restart = keys[KEYS // 2 :]
        assert any(load.answered_by[key] == 0 for key in after_restart)
        for server, key in ((0, keys[0]), (1, keys[0]), (0, keys[-1]), (1, keys[-1])):
            _, replay = await client.create_issue_send(key, load.body(key), server)
            assert replay.headers["Idempotent-Replayed"] == "true"
            assert replay.json()["id"] == load.answers[key]["id"]

        # Every email delivered, at least once; a repeat only for a killed worker's message in
        # flight (docs/architecture.md, "A worker job").
        async def all_jobs_settled() -> bool:
            pending = "SELECT count(*) FROM outbox_jobs WHERE status = 'pending'"
            return bool(await database.fetchval(pending) == 0)

        await wait_until(all_jobs_settled, "every job settled")
        statuses = await database.fetch(
            "SELECT kind, status, count(*) AS jobs FROM outbox_jobs GROUP BY kind, status"
        )
        assert {(row["kind"], row["status"]): row["jobs"] for row in statuses} == {
            ("sign", "delivered"): KEYS,
            ("email", "delivered"): KEYS,
        }
        sent_to = Counter(
            address for envelope in smtp_server.catcher.envelopes for address in envelope
        )
        assert set(sent_to) == {recipient(key) for key in keys}
        repeats = sum(count - 1 for count in sent_to.values())
        assert repeats <= 1, f"sent twice: {[a for a, c in sent_to.items() if c > 1]}"
        for message, envelope in zip(
            smtp_server.catcher.messages, smtp_server.catcher.envelopes, strict=True
        ):
            assert str(message["Message-ID"]).startswith(f"<{credential_of[envelope[0]]}.")

        # One budget per token across both servers (Redis): what one server says is left is what
        # neither has spent (each key's first answer was counted where it ran; replays and 409s
        # are answered before the count), and once it is spent on both, neither lets one through.
        probe = await http.get(f"{cluster.url(1)}/v1/groups", headers=client.headers)
        remaining = int(probe.headers["RateLimit-Remaining"])
        assert remaining <= RATE_LIMIT - KEYS - 1
        await _spend(client, remaining)
        for server in (1, 0):
            refused = await http.get(f"{cluster.url(server)}/v1/groups", headers=client.headers)
            assert refused.status_code == 429, refused.text
            assert refused.headers["RateLimit-Remaining"] == "0"


async def _spend(client: Client, budget: int) -> None:
    """`budget` requests, half on each server, all let through."""
    limit = asyncio.Semaphore(CONCURRENT_REQUESTS)

    async def one(n: int) -> int:
        async with limit:
            url = f"{client.cluster.url(n % 2)}/v1/groups"
            return (await client.http.get(url, headers=client.headers)).status_code

    statuses = Counter(await asyncio.gather(*(one(n) for n in range(budget))))
    assert statuses == {200: budget}
