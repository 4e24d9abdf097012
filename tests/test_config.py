"""Settings: URLs people write, and secrets that must not be the default in production."""

import pytest
from pydantic import ValidationError

from laurel.config import DEVELOPMENT_SECRET_KEY, Environment, Settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="LAUREL_SECRET_KEY"):
        Settings(env=Environment.production, secret_key=DEVELOPMENT_SECRET_KEY)
    assert Settings(env=Environment.production, secret_key="s3cret-" * 8).env == "production"


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_get_async_drivers(written: str, used: str) -> None:
    assert Settings(database_url=written).database_url == used


def test_a_rate_limit_must_parse() -> None:
    with pytest.raises(ValidationError, match="rate limit"):
        Settings(rate_limit="lots")


@pytest.mark.parametrize(
    ("host", "port", "public_url"),
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),
        ("laurel.internal", 80, "http://laurel.internal:80"),
        ("::1", 8001, "http://[::1]:8001"),
    ],
)
def test_an_unset_public_url_is_where_the_server_listens(
    host: str, port: int, public_url: str
) -> None:
    assert Settings(host=host, port=port).public_url == public_url


def test_a_public_url_that_is_set_wins() -> None:
    settings = Settings(port=9000, public_url="https://badges.example.org")
    assert settings.public_url == "https://badges.example.org"
