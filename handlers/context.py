"""What one event's handling needs: the services of the process and the state of this user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from db.campaigns import ActiveCampaign
from db.conversations import Conversation
from db.repos import Repos
from db.users import Membership, User
from domain.model import Agency, Plan, Role
from handlers.types import Choice, Document, Event, Recipient, Reply
from locales import use_locale

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def consolidates(memberships: Iterable[Membership], consolidator_id: int | None) -> bool:
    """Consolidator rights: the consolidator role held in the campaign's consolidating agency
    (in any agency while no campaign is open); one rule for the chat and the document links."""
    return any(
        m.role is Role.CONSOLIDATOR and (consolidator_id is None or m.agency.id == consolidator_id)
        for m in memberships
    )


@dataclass
class Services:
    """Process-wide: how to reach storage, what time it is, who the bootstrap admins are."""

    tz: ZoneInfo
    clock: Clock = utc_now
    # Bootstrap administrators from the settings, as (channel, the person's id in it).
    admin_accounts: frozenset[tuple[str, str]] = frozenset()
    default_locale: str = "vi"
    invite_days: int = 7
    # Channels that cannot show buttons: their choices are numbered and the menu kept.
    numbered: frozenset[str] = frozenset()
    # How to redeem an invitation code in each enabled channel (a link, or what to send).
    invite_lines: Callable[[str], list[str]] = field(default=lambda code: [f"/start {code}"])
    # Monthly message quotas of channels that have one (administrators warned at 80 %).
    quotas: dict[str, int] = field(default_factory=dict)


@dataclass
class Ctx:
    """One event being handled, inside its transaction."""

    services: Services
    tx: Repos
    event: Event
    user: User
    memberships: list[Membership]
    conv: Conversation
    campaign: ActiveCampaign | None
    now: dt.datetime
    # Agencies the person is focal person of that are no longer in the campaign (no rights).
    removed: list[Agency] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)  # workers to wake after the commit

    # -- who is this ---------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        account = (self.event.channel, self.event.user_id)
        return account in self.services.admin_accounts or self.has(Role.ADMIN)

    @property
    def is_consolidator(self) -> bool:
        """Consolidator rights belong to the campaign's consolidating agency (a tong-hop role
        held in another agency gives none); administrators have them too."""
        if self.is_admin:
            return True
        cons = self.campaign.consolidator.id if self.campaign else None
        return consolidates(self.memberships, cons)

    def has(self, role: Role) -> bool:
        return any(m.role is role for m in self.memberships)

    @property
    def known(self) -> bool:
        return bool(self.memberships) or self.is_admin

    def focal_agencies(self) -> list[Agency]:
        seen: dict[int, Agency] = {}
        for m in self.memberships:
            if m.role is Role.FOCAL:
                seen.setdefault(m.agency.id, m.agency)
        return list(seen.values())

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.services.tz).date()

    # -- state ---------------------------------------------------------------------------------
    async def plan(self) -> Plan | None:
        """The plan of the user's current agency in the active campaign."""
        if self.campaign is None or self.conv.agency_id is None:
            return None
        return await self.tx.plans.plan(self.campaign.id, self.conv.agency_id)

    async def go(self, step: str, **fields: object) -> None:
        """Move the user to ``step`` (and its ids); written in this event's transaction. An
        answer waiting for confirmation (``pending``) and a proposal's answer being written
        (``answer``) are dropped unless given."""
        data = self.conv.model_dump()
        data.update(pending=None, answer=None)
        data.update(step=step, campaign_id=self.campaign.id if self.campaign else None, **fields)
        self.conv = Conversation.model_validate(data)
        await self.tx.conversations.save(self.conv, self.now)

    async def audit(
        self, action: str, entity: str, entity_id: int | None, **detail: object
    ) -> None:
        await self.tx.audit.record(self.now, self.user.id, action, entity, entity_id, **detail)

    # -- output --------------------------------------------------------------------------------
    def signal(self, worker: str) -> None:
        """Wake a worker ("reports", "jobs") once this event is committed."""
        self.signals.add(worker)

    def say(
        self,
        text: str,
        choices: list[list[Choice]] | None = None,
        *,
        edit: bool = False,
        to: Recipient | None = None,
        toast: str = "",
        document: Document | None = None,
        upload: str = "",
    ) -> Reply:
        reply = Reply(
            text=text,
            choices=choices or [],
            edit=edit,
            to=to,
            toast=toast,
            document=document,
            upload=upload,
        )
        self.replies.append(reply)
        return reply

    def tell(
        self,
        users: Iterable[User],
        text: Callable[[], str],
        choices: Callable[[], list[list[Choice]]] | None = None,
        *,
        sender_too: bool = False,
    ) -> int:
        """One message to each of ``users`` (each once; not those who blocked the bot, nor the
        sender unless ``sender_too``), made by ``text``/``choices`` in that person's language.
        Returns how many were told."""
        told: set[int] = set()
        for user in users:
            if user.blocked_at is not None or user.id in told:
                continue
            if user.id == self.user.id and not sender_too:
                continue
            told.add(user.id)
            with use_locale(user.locale or self.services.default_locale):
                self.say(
                    text(),
                    choices() if choices else None,
                    to=Recipient(user.channel, user.external_id),
                )
        return len(told)
