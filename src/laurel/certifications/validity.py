"""A record's `validity_status`: computed from its dates on every read, never stored."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, Request

from laurel.config import Settings


@dataclass(frozen=True)
class Validity:
    """How near an expiry counts as "expiring" (`LAUREL_EXPIRING_WINDOW_DAYS`)."""

    expiring_window_days: int

    @classmethod
    def of(cls, settings: Settings) -> "Validity":
        return cls(settings.expiring_window_days)

    def expiring_until(self, today: date) -> date:
        """The last expiry date that is "expiring" rather than "valid" today."""
        return today + timedelta(days=self.expiring_window_days)

    def status(self, issued_on: date | None, expires_on: date | None, today: date) -> str:
        """The status of these dates today (repository.validity_condition is its SQL twin)."""
        if issued_on is not None and issued_on > today:
            return "not_yet_valid"
        if expires_on is None:
            return "valid"
        if expires_on < today:
            return "expired"
        return "expiring" if expires_on <= self.expiring_until(today) else "valid"


def _validity_of_request(request: Request) -> Validity:
    return Validity.of(request.app.state.settings)


# What `validity_status` means on this server; every route that shows records takes it.
RecordValidity = Annotated[Validity, Depends(_validity_of_request)]
