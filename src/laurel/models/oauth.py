"""OAuth apps, the tokens users hold (personal, OAuth access, refresh), authorization codes."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from laurel.models.base import Base, IdMixin, TimestampMixin, UTCDateTime


class OAuthApp(IdMixin, TimestampMixin, Base):
    """An OAuth client registered by an organization, with the API scopes it may request."""

    __tablename__ = "oauth_apps"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the secret; None for public clients (token_endpoint_auth_method "none").
    client_secret_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(32), default="none")
    redirect_uris: Mapped[str] = mapped_column(Text)  # one per line
    scopes: Mapped[str] = mapped_column(Text)  # the API scopes it may request, space-separated
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class UserTokenKind(StrEnum):
    personal = "personal"
    access = "access"
    refresh = "refresh"


class UserToken(IdMixin, TimestampMixin, Base):
    """A bearer token acting for a user: personal (from the CLI) or issued through OAuth.

    Only the SHA-256 of the token is kept. Refresh tokens of one authorization share a
    `family_id`, so that reusing a rotated one revokes the whole family.
    """

    __tablename__ = "user_tokens"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    app_id: Mapped[str | None] = mapped_column(
        ForeignKey("oauth_apps.id", ondelete="CASCADE"), index=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255), default="")
    scopes: Mapped[str] = mapped_column(Text, default="")  # space-separated
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str | None] = mapped_column(String(26), index=True, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class AuthorizationCode(IdMixin, Base):
    __tablename__ = "oauth_authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("oauth_apps.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8), default="S256")
    nonce: Mapped[str | None] = mapped_column(String(255), default=None)
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when exchanged; the row stays until it expires, so that a second use is recognized
    # and the tokens issued from the code (their family_id is the code's id) are revoked.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
