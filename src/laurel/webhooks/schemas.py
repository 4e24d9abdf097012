from typing import Annotated, Literal

from pydantic import Field

from laurel.issuer_api import CamelModel
from laurel.kit.fields import HttpUrlText
from laurel.kit.timestamps import Timestamp

EventType = Literal[
    "credential.created",
    "credential.updated",
    "credential.deleted",
    "credential.issued",
    "credential.sent",
    "credential.revoked",
    "credential.viewed",
    "credential.downloaded",
    "credential.shared",
]


class WebhookCreate(CamelModel):
    url: HttpUrlText
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=20)]


class WebhookRead(CamelModel):
    id: str
    url: str
    event_types: list[str]
    enabled: bool
    created_at: Timestamp
    updated_at: Timestamp


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="The signing secret. Shown only now; store it.")


class DeliveryAttemptRead(CamelModel):
    attempted_at: Timestamp
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(CamelModel):
    id: str
    event_id: str | None
    event_type: str
    status: str
    attempts: int
    next_attempt_at: Timestamp | None
    delivered_at: Timestamp | None
    created_at: Timestamp
    attempt_log: list[DeliveryAttemptRead]
