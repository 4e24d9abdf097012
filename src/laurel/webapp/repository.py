"""The web app's SQL: browser sessions, the audit log, and the few reads its pages need."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.credentials.interactions import VIEWED
from laurel.models import (
    AccessToken,
    AuditEvent,
    CertificationRecord,
    Credential,
    CredentialInteraction,
    CredentialState,
    DeliveryAttempt,
    Group,
    Invitation,
    JobKind,
    LifecycleStatus,
    Membership,
    MembershipStatus,
    Organization,
    OutboxJob,
    PasswordReset,
    User,
    WebSession,
)


class WebSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, web_session: WebSession) -> None:
        self.session.add(web_session)

    async def get_live_by_hash(self, token_hash: str, now: datetime) -> WebSession | None:
        """The session this cookie names, unless it was revoked or reached its absolute end."""
        statement = select(WebSession).where(
            WebSession.token_hash == token_hash,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
        )
        return (await self.session.scalars(statement)).first()

    async def revoke(self, session_id: str, now: datetime) -> None:
        statement = (
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.session.execute(statement)

    async def revoke_all_for_user(self, user_id: str, now: datetime) -> int:
        statement = (
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class OrganizationChoice:
    organization_id: str
    name: str
    role: str


class MembershipReads:
    """Which organizations a user may work in, and as what."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def choices_for_user(self, user_id: str) -> list[OrganizationChoice]:
        statement = (
            select(Organization.id, Organization.name, Membership.role, Membership.is_primary)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user_id, Membership.status == MembershipStatus.active)
            .order_by(Membership.is_primary.desc(), Organization.name, Organization.id)
        )
        rows = (await self.session.execute(statement)).all()
        return [OrganizationChoice(row.id, row.name, row.role) for row in rows]


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    async def page(
        self, organization_id: str, before_id: str | None, limit: int
    ) -> Sequence[AuditEvent]:
        """The newest events first; ids are time-ordered, so the last id seen is the cursor."""
        statement = select(AuditEvent).where(AuditEvent.organization_id == organization_id)
        if before_id is not None:
            statement = statement.where(AuditEvent.id < before_id)
        statement = statement.order_by(AuditEvent.id.desc()).limit(limit)
        return (await self.session.scalars(statement)).all()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    detail: str = ""


class CredentialActivity:
    """What happened to one credential: deliveries queued and attempted, and its interactions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lifecycle(self, organization_id: str, credential_id: str) -> Any:
        """When it was revoked (and why) and when it is scheduled to be issued: columns the
        API's read model leaves out."""
        statement = select(
            Credential.revoked_at, Credential.revocation_reason, Credential.scheduled_at
        ).where(Credential.organization_id == organization_id, Credential.id == credential_id)
        return (await self.session.execute(statement)).first()

    async def deliveries(self, organization_id: str, credential_id: str) -> list[TimelineEntry]:
        jobs = (
            await self.session.execute(
                select(OutboxJob.id, OutboxJob.kind, OutboxJob.event_type, OutboxJob.created_at)
                .where(
                    OutboxJob.organization_id == organization_id,
                    OutboxJob.kind.in_([JobKind.email, JobKind.webhook]),
                    or_(
                        and_(
                            OutboxJob.kind == JobKind.email,
                            OutboxJob.payload["credential_id"].as_string() == credential_id,
                        ),
                        # A webhook's payload is the signed body, kept as sent.
                        and_(
                            OutboxJob.kind == JobKind.webhook,
                            OutboxJob.payload["body"]
                            .as_string()
                            .contains(f'"resource":{{"id":"{credential_id}"'),
                        ),
                    ),
                )
                .order_by(OutboxJob.id)
                .limit(200)
            )
        ).all()
        entries = [
            TimelineEntry(job.created_at, f"{_kind_name(job.kind)} queued", job.event_type)
            for job in jobs
        ]
        if jobs:
            attempts = await self.session.execute(
                select(
                    DeliveryAttempt.job_id,
                    DeliveryAttempt.attempted_at,
                    DeliveryAttempt.status_code,
                    DeliveryAttempt.error,
                )
                .where(DeliveryAttempt.job_id.in_([job.id for job in jobs]))
                .order_by(DeliveryAttempt.id)
            )
            kinds = {job.id: job.kind for job in jobs}
            for attempt in attempts.all():
                outcome = attempt.error or (
                    f"HTTP {attempt.status_code}" if attempt.status_code else "delivered"
                )
                what = f"{_kind_name(kinds[attempt.job_id])} delivery attempt"
                entries.append(TimelineEntry(attempt.attempted_at, what, outcome))
        return entries

    async def interactions(self, organization_id: str, credential_id: str) -> list[TimelineEntry]:
        """Views summed up in one entry (a popular credential's page stays short); downloads,
        LinkedIn adds, verifications and the rest one by one, the latest 200."""
        mine = (
            CredentialInteraction.organization_id == organization_id,
            CredentialInteraction.credential_id == credential_id,
        )
        entries: list[TimelineEntry] = []
        views = (
            await self.session.execute(
                select(
                    func.count(),
                    func.min(CredentialInteraction.triggered_at),
                    func.max(CredentialInteraction.triggered_at),
                ).where(*mine, CredentialInteraction.event_type == VIEWED)
            )
        ).one()
        if views[0]:
            first, last = (_utc(moment) for moment in views[1:])
            times = "once" if views[0] == 1 else f"{views[0]} times"
            detail = (
                f"the latest view; the first was {first.day} {first:%B %Y, %H:%M} UTC"
                if views[0] > 1
                else ""
            )
            entries.append(TimelineEntry(last, f"Viewed {times}", detail))
        statement = (
            select(CredentialInteraction.event_type, CredentialInteraction.triggered_at)
            .where(*mine, CredentialInteraction.event_type != VIEWED)
            .order_by(CredentialInteraction.triggered_at.desc())
            .limit(200)
        )
        for row in (await self.session.execute(statement)).all():
            what = _INTERACTION_NAMES.get(row.event_type, row.event_type.replace("_", " "))
            entries.append(TimelineEntry(row.triggered_at, what))
        return entries


_INTERACTION_NAMES = {
    "credential_downloaded": "Downloaded",
    "credential_verified": "Verified",
    "credential_added_to_linkedin_profile": "Added to LinkedIn",
    "credential_shared_to_linkedin": "Shared to LinkedIn",
    "credential_link_copied": "Public link copied",
}


def _utc(moment: Any) -> datetime:
    """An aggregate skips the column type: SQLite answers text, naive in UTC."""
    value = moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _kind_name(kind: str) -> str:
    return "Email" if kind == JobKind.email else "Webhook"


class DashboardReads:
    """The home page's counts, each one grouped query."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def issued_per_day(self, organization_id: str, since: date) -> dict[date, int]:
        # Grouped by day (at most 366 rows); weeks are summed in Python, which every database
        # agrees on, where week functions differ between SQLite and PostgreSQL.
        statement = (
            select(Credential.issue_date, func.count())
            .where(
                Credential.organization_id == organization_id,
                Credential.state == CredentialState.issued,
                Credential.issue_date >= since,
            )
            .group_by(Credential.issue_date)
        )
        return {row[0]: int(row[1]) for row in (await self.session.execute(statement)).all()}

    async def interactions_per_day(
        self, organization_id: str, event_types: Iterable[str], since: date
    ) -> dict[str, dict[date, int]]:
        """Interactions of these types since `since`, per type and UTC day: one grouped query
        (at most 366 rows a type), served by the (organization, type, time) index alone."""
        day = _utc_day(self.session, CredentialInteraction.triggered_at)
        statement = (
            select(CredentialInteraction.event_type, day, func.count())
            .where(
                CredentialInteraction.organization_id == organization_id,
                CredentialInteraction.triggered_at
                >= datetime.combine(since, datetime.min.time(), UTC),
                CredentialInteraction.event_type.in_(sorted(event_types)),
            )
            .group_by(CredentialInteraction.event_type, day)
        )
        counts: dict[str, dict[date, int]] = {}
        for event_type, on, count in (await self.session.execute(statement)).all():
            on_day = on if isinstance(on, date) else date.fromisoformat(str(on))
            counts.setdefault(event_type, {})[on_day] = int(count)
        return counts

    async def certifications_expiring(
        self, organization_id: str, today: date, windows: Sequence[int]
    ) -> dict[int, int]:
        """Active certifications expiring within each window of days: one row, counted in SQL
        (an organization of 10,000 members has tens of thousands within 90 days)."""
        expires_on = CertificationRecord.expires_on
        counts = [
            func.count(case((expires_on <= today + timedelta(days=days), 1))) for days in windows
        ]
        statement = select(*counts).where(
            CertificationRecord.organization_id == organization_id,
            CertificationRecord.lifecycle_status == LifecycleStatus.active,
            expires_on >= today,
            expires_on <= today + timedelta(days=max(windows)),
        )
        row = (await self.session.execute(statement)).one()
        return {days: int(count or 0) for days, count in zip(windows, row, strict=True)}


def _utc_day(session: AsyncSession, column: Any) -> Any:
    """The UTC calendar day of a timestamp column; the two databases spell it differently
    (SQLite keeps UTC text and answers 'YYYY-MM-DD')."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


class TemplateReads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def names(self, organization_id: str) -> list[tuple[str, str]]:
        statement = (
            select(Group.id, Group.name)
            .where(Group.organization_id == organization_id)
            .order_by(Group.name, Group.id)
        )
        return [(row.id, row.name) for row in (await self.session.execute(statement)).all()]


class TokenReads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def belongs_to(self, organization_id: str, token_id: str) -> bool:
        statement = select(AccessToken.id).where(
            AccessToken.organization_id == organization_id, AccessToken.id == token_id
        )
        return (await self.session.execute(statement)).first() is not None


@dataclass(frozen=True)
class MemberRow:
    email: str
    display_name: str
    role: str
    status: str
    member_id: str = ""


class LinkTokenRepository:
    """Invitations and password resets: links whose token is stored hashed and used once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Invitation | PasswordReset) -> None:
        self.session.add(row)

    async def live_invitation(self, token_hash: str, now: datetime) -> Invitation | None:
        statement = select(Invitation).where(
            Invitation.token_hash == token_hash,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        return (await self.session.scalars(statement)).first()

    async def pending_invitations(
        self, organization_id: str, now: datetime
    ) -> Sequence[Invitation]:
        statement = (
            select(Invitation)
            .where(
                Invitation.organization_id == organization_id,
                Invitation.used_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def live_reset(self, token_hash: str, now: datetime) -> PasswordReset | None:
        statement = select(PasswordReset).where(
            PasswordReset.token_hash == token_hash,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        return (await self.session.scalars(statement)).first()

    async def use_invitation(self, invitation_id: str, now: datetime) -> bool:
        """Mark it used; False when another request used it first (single use under races)."""
        statement = (
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(getattr(await self.session.execute(statement), "rowcount", 0))

    async def use_reset(self, reset_id: str, now: datetime) -> bool:
        statement = (
            update(PasswordReset)
            .where(PasswordReset.id == reset_id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(getattr(await self.session.execute(statement), "rowcount", 0))

    async def members(self, organization_id: str) -> list[MemberRow]:
        statement = (
            select(User.email, User.display_name, Membership.role, Membership.status, Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization_id)
            .order_by(User.email)
            .limit(1000)
        )
        rows = (await self.session.execute(statement)).all()
        return [
            MemberRow(row.email, row.display_name, row.role, row.status, row.id) for row in rows
        ]
