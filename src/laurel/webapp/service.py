"""The web app's own rules: who is signed in, in which organization and role, what they may do,
and what is written to the audit log. Everything else is the domains' services, called as they
are by the APIs."""

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.auth.repository import CallerRepository
from laurel.auth.users import Caller, MemberView
from laurel.credentials.interactions import DOWNLOADED, LINKEDIN_ADDS, VERIFIED, VIEWED
from laurel.kit.errors import Forbidden, LaurelError, NotFound
from laurel.models import AuditEvent, Plan, Role, User, WebSession
from laurel.organizations.repository import OrganizationRepository
from laurel.pages.templating import long_date
from laurel.users.repository import UserRepository
from laurel.webapp.repository import (
    AuditRepository,
    DashboardReads,
    MembershipReads,
    OrganizationChoice,
)

# What each role may do, lowest first; a role may do everything of the roles below it.
ROLE_RANK = {Role.member: 1, Role.manager: 2, Role.admin: 3, Role.owner: 4}


class SignInRequired(LaurelError):
    """No live session: the browser is sent to the sign-in page, and back after it."""

    status_code = 401
    code = "sign_in_required"
    default_message = "Sign in to continue"


class NoOrganization(Forbidden):
    code = "no_organization"
    default_message = (
        "Your account is not an active member of any organization. Ask an owner to invite you."
    )


class RoleForbids(Forbidden):
    code = "role_forbids"
    default_message = "Your role in this organization does not allow this"


@dataclass(frozen=True)
class Staff:
    """The signed-in person of one request: their session, user, and the organization chosen."""

    web_session: WebSession
    user: User
    organization: OrganizationChoice
    organizations: list[OrganizationChoice]
    plan: Plan
    ip: str | None

    @property
    def organization_id(self) -> str:
        return self.organization.organization_id

    @property
    def role(self) -> Role:
        return Role(self.organization.role)

    @property
    def csrf_token(self) -> str:
        return self.web_session.csrf_token

    @property
    def principal(self) -> Principal:
        """The organization as the issuer services know their caller; what it does is recorded
        under the user's id (a credential's `revoked_by`)."""
        return Principal(self.organization_id, self.plan, self.user.id)

    def may(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def require(self, role: Role) -> None:
        if not self.may(role):
            raise RoleForbids(f"Only an organization's {role}s and above may do this")

    @property
    def sees_only_own(self) -> bool:
        """Members see only what was issued to them."""
        return not self.may(Role.manager)


async def staff_of(session: AsyncSession, web_session: WebSession, ip: str | None) -> Staff:
    """The person behind a live session, in the organization it chose (or their first one)."""
    user = await UserRepository(session).get(web_session.user_id)
    if user is None:
        raise SignInRequired()
    choices = await MembershipReads(session).choices_for_user(user.id)
    if not choices:
        raise NoOrganization()
    chosen = next(
        (c for c in choices if c.organization_id == web_session.organization_id), choices[0]
    )
    if web_session.organization_id != chosen.organization_id:
        # The membership ended, or none was chosen yet: the session moves to one that is theirs.
        web_session.organization_id = chosen.organization_id
    organization = await OrganizationRepository(session).get(chosen.organization_id)
    if organization is None:
        raise NotFound()
    return Staff(web_session, user, chosen, choices, Plan(organization.plan), ip)


async def caller_of(session: AsyncSession, staff: Staff) -> Caller:
    """The signed-in user as the records services know their caller, built from the same
    memberships the records API reads for a token, so that role rules stay the services' own.
    Only the organization chosen is in it: the app never reaches another one by accident."""
    memberships = tuple(
        MemberView(m.id, m.organization_id, Role(m.role), m.is_primary)
        for m in await CallerRepository(session).active_memberships(staff.user.id)
        if m.organization_id == staff.organization_id
    )
    return Caller(
        staff.user.id,
        staff.user.email,
        staff.user.display_name,
        staff.web_session.id,
        frozenset(),
        memberships,
    )


def choose_organization(staff: Staff, organization_id: str) -> OrganizationChoice:
    """Switch the session to another of the user's organizations; another's id is a 404."""
    for choice in staff.organizations:
        if choice.organization_id == organization_id:
            staff.web_session.organization_id = organization_id
            return choice
    raise NotFound("No organization of yours has that id")


def record(
    session: AsyncSession,
    staff: Staff,
    action: str,
    target: str = "",
    *,
    at: datetime,
    organization_id: str | None = None,
) -> None:
    """Append one line to the organization's audit log, in the request's transaction: the
    action and its record are kept or dropped together."""
    AuditRepository(session).add(
        AuditEvent(
            organization_id=organization_id or staff.organization_id,
            actor_user_id=staff.user.id,
            actor_email=staff.user.email,
            action=action,
            target=target[:255],
            ip=staff.ip,
            at=at,
        )
    )


def record_for_user(
    session: AsyncSession,
    user: User,
    organization_id: str,
    action: str,
    *,
    ip: str | None,
    at: datetime,
) -> None:
    AuditRepository(session).add(
        AuditEvent(
            organization_id=organization_id,
            actor_user_id=user.id,
            actor_email=user.email,
            action=action,
            target=user.email,
            ip=ip,
            at=at,
        )
    )


async def first_organization_of(session: AsyncSession, user_id: str) -> str | None:
    choices = await MembershipReads(session).choices_for_user(user_id)
    return choices[0].organization_id if choices else None


async def audit_page(
    session: AsyncSession, staff: Staff, before_id: str | None, limit: int = 50
) -> tuple[list[AuditEvent], str | None]:
    staff.require(Role.admin)
    rows = list(await AuditRepository(session).page(staff.organization_id, before_id, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more and rows else None


@dataclass(frozen=True)
class WeekBar:
    week_start: date
    label: str
    count: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class WeeklyChart:
    """One count per week over the last year, laid out as the bars of an SVG chart."""

    key: str
    title: str
    verb: str
    bars: list[WeekBar]
    total: int
    peak: int
    width: int
    height: int
    bar_width: float

    @property
    def rows(self) -> list[WeekBar]:
        """The numbers, newest week first, for the table beside the chart."""
        return list(reversed(self.bars))

    def counted(self, count: int) -> str:
        """The count with its noun, "1 view" or "2 views": `verb` is the plural."""
        noun = self.verb[:-1] if count == 1 and self.verb.endswith("s") else self.verb
        return f"{count} {noun}"


@dataclass(frozen=True)
class Dashboard:
    charts: list[WeeklyChart]
    expiring: dict[int, int] = field(default_factory=dict)


WEEKS = 52
CHART_WIDTH, CHART_HEIGHT = 780, 160
# The home page's interaction charts: (key, title, verb, the interaction types counted).
INTERACTION_CHARTS = (
    ("viewed", "Credentials viewed per week", "views", (VIEWED,)),
    ("downloaded", "Credentials downloaded per week", "downloads", (DOWNLOADED,)),
    ("linkedin", "Credentials added to LinkedIn per week", "LinkedIn adds", LINKEDIN_ADDS),
    ("verified", "Credentials verified per week", "verifications", (VERIFIED,)),
)


# A year's counts change slowly, and counting them reads every credential issued and every
# interaction of the year (100,000 credentials and 200,000 interactions take ~100 ms on SQLite):
# each process counts a busy organization's at most once a minute; a quiet one's, cheap to
# count, on every load, so they show at once.
CHART_COUNTS_SECONDS = 60.0
CHART_COUNTS_CACHED_FROM = 10_000
YearCounts = tuple[dict[date, int], dict[str, dict[date, int]]]
_counted: dict[tuple[str, date], tuple[float, YearCounts]] = {}


async def _year_counts(reads: DashboardReads, organization_id: str, first_week: date) -> YearCounts:
    """Credentials issued per day, and interactions per type and day, since `first_week`."""
    key = (organization_id, first_week)
    now = time.monotonic()
    cached = _counted.get(key)
    if cached is not None and now - cached[0] < CHART_COUNTS_SECONDS:
        return cached[1]
    kinds = {kind for *_, kinds in INTERACTION_CHARTS for kind in kinds}
    issued = await reads.issued_per_day(organization_id, first_week)
    interactions = await reads.interactions_per_day(organization_id, kinds, first_week)
    counted = sum(issued.values()) + sum(sum(days.values()) for days in interactions.values())
    if counted >= CHART_COUNTS_CACHED_FROM:
        if len(_counted) >= 1000:  # bounded: the oldest counts go first
            del _counted[min(_counted, key=lambda k: _counted[k][0])]
        _counted[key] = (now, (issued, interactions))
    return issued, interactions


def weekly_chart(
    key: str, title: str, verb: str, per_day: dict[date, int], weeks: list[tuple[date, str]]
) -> WeeklyChart:
    """Sum days into the Monday-based `weeks` (start and label; the current week last) and lay
    out the bars, scaled to the busiest week."""
    first_week = weeks[0][0]
    counts = [0] * len(weeks)
    for day, count in per_day.items():
        index = (day - first_week).days // 7
        if 0 <= index < len(weeks):
            counts[index] += count
    peak = max(counts)
    slot = CHART_WIDTH / len(weeks)
    scale = 0.0 if peak == 0 else (CHART_HEIGHT - 10) / peak
    bars = []
    for index, ((week, label), count) in enumerate(zip(weeks, counts, strict=True)):
        height = round(count * scale, 1)
        x, y = round(index * slot + 1, 1), round(CHART_HEIGHT - height, 1)
        bars.append(WeekBar(week, label, count, x, y, height))
    return WeeklyChart(
        key, title, verb, bars, sum(counts), peak, CHART_WIDTH, CHART_HEIGHT, round(slot - 2, 1)
    )


async def dashboard(session: AsyncSession, staff: Staff, today: date) -> Dashboard:
    """Credentials issued, viewed, downloaded, added to LinkedIn and verified per week over the
    last year (two grouped queries; a busy organization's counted at most once a minute), and
    certifications expiring soon."""
    reads = DashboardReads(session)
    this_week = today - timedelta(days=today.weekday())
    first_week = this_week - timedelta(weeks=WEEKS - 1)
    starts = [first_week + timedelta(weeks=n) for n in range(WEEKS)]
    weeks = [(week, long_date(week)) for week in starts]
    issued, interactions = await _year_counts(reads, staff.organization_id, first_week)
    charts = [weekly_chart("issued", "Credentials issued per week", "issued", issued, weeks)]
    for key, title, verb, counted in INTERACTION_CHARTS:
        per_day: dict[date, int] = {}
        for kind in counted:
            for day, count in interactions.get(kind, {}).items():
                per_day[day] = per_day.get(day, 0) + count
        charts.append(weekly_chart(key, title, verb, per_day, weeks))
    expiring = await reads.certifications_expiring(staff.organization_id, today, (30, 60, 90))
    return Dashboard(charts, expiring)
