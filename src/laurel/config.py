"""Settings, read from `LAUREL_*` environment variables (and a `.env` file)."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "laurel-development-secret-key-do-not-use-in-production"  # noqa: S105


class Environment(StrEnum):
    development = "development"
    testing = "testing"
    production = "production"


def to_async_database_url(url: str) -> str:
    """Accept the URLs people write (`sqlite:///x.db`, `postgresql://...`); pick async drivers."""
    replacements = {
        "sqlite://": "sqlite+aiosqlite://",
        "postgres://": "postgresql+asyncpg://",
        "postgresql://": "postgresql+asyncpg://",
        "postgresql+psycopg://": "postgresql+asyncpg://",
    }
    for prefix, async_prefix in replacements.items():
        if url.startswith(prefix):
            return async_prefix + url.removeprefix(prefix)
    return url


def served_url(host: str, port: int) -> str:
    """The URL of a server listening on host:port, as a browser on the same machine reaches it."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (naming the wildcard, not binding to it)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAUREL_", env_file=".env", extra="ignore")

    env: Environment = Environment.development
    database_url: str = "sqlite+aiosqlite:///./.laurel/laurel.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Per access token. Certifier's own limit is about 3 requests/s and unpublished;
    # ours is published through the RateLimit-* headers.
    rate_limit: str = "600/minute"
    # OAuth sign-in attempts, per client address and per email: password guessing stays slow.
    sign_in_rate_limit: str = "10/minute"
    redis_url: str | None = None
    # How long a process may trust a token it has already checked. Revoking a token or changing
    # a plan reaches every process within this many seconds; 0 checks the database every time.
    auth_cache_seconds: float = Field(default=10.0, ge=0)
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # While rotating LAUREL_SECRET_KEY: the key it replaces. What was sealed or signed with it
    # is still read and accepted; `laurel secret rotate` re-seals stored secrets under the new
    # key, after which this is unset again (docs/operations.md).
    secret_key_previous: str | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    log_level: str = "INFO"
    # Where people reach Laurel's public pages; links in emails, credential ids, did:web and
    # status lists point here. Unset: the host and port this process serves on.
    public_url: str = ""
    # smtp://user:password@host:587 (STARTTLS when the server offers it), smtps://... for TLS
    # from the first byte. Unset: emails are kept in the outbox for `laurel outbox list`.
    smtp_url: str | None = None
    smtp_from: str = "Laurel <no-reply@laurel.localhost>"
    # Webhook URLs on private, loopback or link-local addresses are refused unless this is set.
    webhooks_allow_private_addresses: bool = False
    # `laurel serve` runs a delivery worker in each API process unless told not to.
    run_worker_in_process: bool = True
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    # A claimed job is the worker's alone this long; a killed worker's jobs return after it.
    worker_lease_seconds: float = Field(default=90, gt=0)
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    # Verifying another server's credential means fetching its issuer's did:web document.
    # Off by default: verification then needs no network at all.
    resolve_remote_issuers: bool = False
    remote_issuer_timeout_seconds: float = Field(default=5, gt=0)
    # did:web is HTTPS by definition; tests point it at a plain-HTTP server on loopback.
    did_web_scheme: str = Field(default="https", pattern="^https?$")
    database_pool_size: int = Field(default=10, ge=1)
    # PostgreSQL: how long to wait for a new connection before answering 503 (asyncpg's own
    # default is 60 s, long enough to pile up every request while the database is away).
    database_connect_timeout_seconds: float = Field(default=5, gt=0)
    # What `laurel serve` allows a client (docs/deployment.md): the time to send a request's
    # headers and, after them, its body; the connections one process serves at once (beyond
    # them requests get 503); the size of a request's headers; how long an idle keep-alive
    # connection stays open; and which addresses may set X-Forwarded-For/-Proto.
    header_timeout_seconds: float = Field(default=10, gt=0)
    body_timeout_seconds: float = Field(default=30, gt=0)
    max_connections: int = Field(default=1000, ge=1)
    max_header_bytes: int = Field(default=64 * 1024, ge=1024)
    keep_alive_seconds: int = Field(default=5, ge=1)
    forwarded_allow_ips: str = "127.0.0.1"
    # A credential's public page is rendered (and verified) at most once this often per process;
    # a revocation shows on it within this many seconds. 0 renders every view.
    page_cache_seconds: float = Field(default=10.0, ge=0)
    # Renders run in worker processes (rendering/pool.py), each under a budget: a render still
    # running after this many seconds is killed (422 render_budget_exceeded) ...
    render_timeout_seconds: float = Field(default=20, gt=0, le=3600)
    # ... as is one that wants more memory than a warm worker holds plus this many MB.
    render_memory_mb: int = Field(default=1024, ge=64)
    # Render workers per API process: at most this many renders at once; more wait ...
    render_concurrency: int = Field(default=2, ge=1, le=64)
    # ... this many seconds for a free worker, then get 503 render_unavailable (Retry-After).
    render_queue_seconds: float = Field(default=10, ge=0, le=600)
    # Records API: a certification is "expiring" when it expires within this many days.
    expiring_window_days: int = Field(default=30, ge=0, le=3650)
    # The web app's sign-in: a session unused this long is signed out (idle timeout) ...
    web_session_idle_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # ... and every session ends this long after sign-in, used or not (absolute timeout).
    web_session_absolute_hours: int = Field(default=12, ge=1, le=30 * 24)
    # An invitation link works this long, once; a password-reset link this long, once.
    web_invitation_days: int = Field(default=7, ge=1, le=90)
    web_password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Where the web app keeps bulk-issue uploads until they are issued or cancelled; empty: the
    # system's temporary directory. Several `laurel serve` machines must share it.
    import_staging_dir: str = ""

    @field_validator("database_url")
    @classmethod
    def _use_async_driver(cls, value: str) -> str:
        return to_async_database_url(value)

    @field_validator("rate_limit", "sign_in_rate_limit")
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit such as '100/minute': {value!r}") from error
        return value

    @model_validator(mode="after")
    def _public_url_from_where_it_serves(self) -> "Settings":
        if not self.public_url:
            self.public_url = served_url(self.host, self.port)
        return self

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> "Settings":
        if self.env == Environment.production and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError("LAUREL_SECRET_KEY must be set to a secret value in production")
        return self

    @model_validator(mode="after")
    def _previous_secret_key_differs(self) -> "Settings":
        if self.secret_key_previous == "":
            self.secret_key_previous = None
        if self.secret_key_previous == self.secret_key:
            raise ValueError("LAUREL_SECRET_KEY_PREVIOUS is the same as LAUREL_SECRET_KEY")
        return self

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The secret keys accepted when reading back or checking, the current one first."""
        if self.secret_key_previous is None:
            return (self.secret_key,)
        return (self.secret_key, self.secret_key_previous)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The file of an embedded SQLite URL; None for in-memory and other databases."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


@lru_cache
def get_settings() -> Settings:
    return Settings()
