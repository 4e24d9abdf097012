"""Invitations and password resets by email: single-use links, stored hashed, that expire.

The emails go through the outbox like every other email (delivery/jobs.py), so they are sent
by the worker, retried, and held when no SMTP server is configured.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.delivery.jobs import email_job, enqueue
from laurel.email_templates.rendering import Action, RenderedEmail, render_branded_email
from laurel.kit.crypto import generate_token, hash_token
from laurel.kit.errors import Conflict, NotFound, ValidationFailed
from laurel.kit.ids import new_id
from laurel.members import service as members
from laurel.members.repository import MemberRepository
from laurel.models import Invitation, PasswordReset, Role, User
from laurel.organizations.repository import OrganizationRepository
from laurel.users import service as users
from laurel.users.repository import UserRepository
from laurel.webapp.repository import LinkTokenRepository
from laurel.webapp.service import ROLE_RANK, RoleForbids, Staff, first_organization_of

LINK_PREFIX = "laurel_link_"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000


def app_url(settings: Settings, path: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}"


def checked_password(form: dict[str, str]) -> str:
    password = form.get("password", "")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password: at least {MIN_PASSWORD_LENGTH} characters", param="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password: at most {MAX_PASSWORD_LENGTH} characters", param="password"
        )
    if password != form.get("password_again", ""):
        raise ValidationFailed("password_again: the two passwords differ", param="password_again")
    return password


def _email(to: str, rendered: RenderedEmail) -> dict[str, str]:
    return {
        "to": to,
        "to_name": "",
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "message_id": f"<{new_id()}@laurel>",
    }


async def invite(
    session: AsyncSession,
    settings: Settings,
    staff: Staff,
    email: str,
    role_name: str,
    now: datetime,
) -> Invitation:
    """Invite someone to the organization with a role no higher than the inviter's own."""
    address = users.normalize_email(email)
    try:
        role = Role(role_name)
    except ValueError:
        raise ValidationFailed(
            "role: choose owner, admin, manager or member", param="role"
        ) from None
    if ROLE_RANK[role] > ROLE_RANK[staff.role]:
        raise RoleForbids(f"You may not invite someone as {role}: your role is {staff.role}")
    existing = await UserRepository(session).get_by_email(address)
    if existing is not None and await MemberRepository(session).get_for_user(
        staff.organization_id, existing.id
    ):
        raise Conflict(f"{address} is a member of this organization already")
    secret = generate_token(LINK_PREFIX)
    invitation = Invitation(
        organization_id=staff.organization_id,
        email=address,
        role=role,
        invited_by=staff.user.id,
        token_hash=hash_token(secret),
        created_at=now,
        expires_at=now + timedelta(days=settings.web_invitation_days),
    )
    LinkTokenRepository(session).add(invitation)
    link = app_url(settings, f"/app/invitations/{secret}")
    organization = staff.organization.name
    message = _email(
        address,
        render_branded_email(
            subject=f"{organization} invites you to Laurel",
            paragraphs=[
                [
                    f"{staff.user.display_name} ({staff.user.email}) invites you to join "
                    f"{organization} on Laurel as {role}."
                ],
                [f"The link works once, for {settings.web_invitation_days} days."],
            ],
            sender=organization,
            logo=None,
            eyebrow="Invitation",
            heading=f"Join {organization}",
            action=Action("Accept the invitation", link),
            reason=f"You received this email because {staff.user.email} invited you.",
        ),
    )
    await enqueue(session, [email_job(settings, staff.organization_id, message, "invitation.sent")])
    await session.flush()
    return invitation


@dataclass(frozen=True)
class OpenInvitation:
    invitation: Invitation
    organization_name: str
    existing_user: User | None

    @property
    def needs_password(self) -> bool:
        return self.existing_user is None or self.existing_user.password_hash is None


async def open_invitation(session: AsyncSession, secret: str, now: datetime) -> OpenInvitation:
    invitation = await LinkTokenRepository(session).live_invitation(hash_token(secret), now)
    if invitation is None:
        raise NotFound("This invitation link has been used or has expired; ask for a new one")
    organization = await OrganizationRepository(session).get(invitation.organization_id)
    if organization is None:
        raise NotFound()
    user = await UserRepository(session).get_by_email(invitation.email)
    return OpenInvitation(invitation, organization.name, user)


async def accept_invitation(
    session: AsyncSession, secret: str, form: dict[str, str], now: datetime
) -> tuple[User, str]:
    """Join the organization (creating the user, or setting a first password); the user and the
    organization joined."""
    opened = await open_invitation(session, secret, now)
    password = checked_password(form) if opened.needs_password else None
    invitation = opened.invitation
    if not await LinkTokenRepository(session).use_invitation(invitation.id, now):
        raise NotFound("This invitation link has been used or has expired; ask for a new one")
    user = opened.existing_user
    if user is None:
        name = form.get("display_name", "").strip()[:255] or invitation.email
        user = await users.create_user(session, invitation.email, name, password)
    elif password is not None:
        await users.set_password(session, user.id, password)
    await members.add_membership(
        session, invitation.organization_id, user.id, Role(invitation.role)
    )
    return user, invitation.organization_id


async def request_password_reset(
    session: AsyncSession, settings: Settings, email: str, now: datetime
) -> None:
    """Email a reset link if the address is a user's; the answer is the same either way, so
    the page does not tell who has an account."""
    try:
        address = users.normalize_email(email)
    except ValidationFailed:
        return
    user = await UserRepository(session).get_by_email(address)
    # The outbox belongs to an organization: someone in none has no app to sign in to.
    organization_id = await first_organization_of(session, user.id) if user else None
    if user is None or organization_id is None:
        return
    secret = generate_token(LINK_PREFIX)
    LinkTokenRepository(session).add(
        PasswordReset(
            user_id=user.id,
            token_hash=hash_token(secret),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.web_password_reset_minutes),
        )
    )
    message = _email(
        address,
        render_branded_email(
            subject="Reset your Laurel password",
            paragraphs=[
                ["Someone (we hope you) asked to reset the password of your Laurel account."],
                [
                    f"The link works once, for {settings.web_password_reset_minutes} minutes. "
                    "If it was not you, ignore this email: your password stays as it is."
                ],
            ],
            sender="Laurel",
            logo=None,
            eyebrow="Your account",
            heading="Choose a new password",
            action=Action(
                "Choose a new password", app_url(settings, f"/app/password-reset/{secret}")
            ),
            reason="You received this email because a password reset was asked for this address.",
        ),
    )
    await enqueue(session, [email_job(settings, organization_id, message, "password.reset")])


async def open_reset(session: AsyncSession, secret: str, now: datetime) -> PasswordReset:
    reset = await LinkTokenRepository(session).live_reset(hash_token(secret), now)
    if reset is None:
        raise NotFound("This reset link has been used or has expired; ask for a new one")
    return reset


async def complete_password_reset(
    session: AsyncSession, secret: str, form: dict[str, str], now: datetime
) -> str:
    """Set the new password; returns the user's id (whose sessions the caller ends)."""
    reset = await open_reset(session, secret, now)
    password = checked_password(form)
    if not await LinkTokenRepository(session).use_reset(reset.id, now):
        raise NotFound("This reset link has been used or has expired; ask for a new one")
    await users.set_password(session, reset.user_id, password)
    return reset.user_id


async def members_and_invitations(
    session: AsyncSession, staff: Staff, now: datetime
) -> tuple[list[object], list[Invitation]]:
    repository = LinkTokenRepository(session)
    members = await repository.members(staff.organization_id)
    pending = list(await repository.pending_invitations(staff.organization_id, now))
    return list(members), pending
