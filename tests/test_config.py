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
