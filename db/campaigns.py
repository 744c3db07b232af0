"""Campaigns, their agencies and shortcomings. Loading is idempotent and never deletes answers."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from pydantic import BaseModel

from db.base import Repository, iso
from domain.campaign import Campaign, stored_campaign
from domain.model import Agency


@dataclass(frozen=True)
class ActiveCampaign:
    """The active campaign: its validated definition (parsed once per load) and consolidator."""

    id: int
    definition: Campaign
    consolidator: Agency


@dataclass(frozen=True)
class Removed:
    """An agency no longer in the campaign that still has data in it (kept, never dropped)."""

    code: str
    name: str
    measures: int
    submissions: int
    proposals: int
    people: int

    def summary(self) -> str:
        return (
            f"{self.code} ({self.measures} measures, {self.submissions} plan versions submitted,"
            f" {self.proposals} proposals, {self.people} people)"
        )


@dataclass(frozen=True)
class Summary:
    """The active campaign as the start describes it, read without parsing its definition."""

    id: int
    code: str
    title: str
    consolidator: Agency
    agencies: int
    items: int
    plans_due: str


class LoadResult(BaseModel):
    campaign_id: int
    created: bool
    agencies: int
    items: int
    assignments_added: int
    assignments_retired: int


# Parsed definitions by the digest of their JSON: immutable values, safe to share.
_DEFINITIONS: dict[str, Campaign] = {}


class CampaignRepo(Repository):
    async def load(self, campaign: Campaign, at: dt.datetime, activate: bool = True) -> LoadResult:
        """Insert or update a campaign by its code; plans and answers already given stay."""
        agency_ids: dict[str, int] = {}
        for a in campaign.agencies:
            await self._run(
                "INSERT INTO agencies (code, name) VALUES (?, ?)"
                " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
                (a.code, a.name),
            )
            row = await self._one("SELECT id FROM agencies WHERE code = ?", (a.code,))
            assert row is not None
            agency_ids[a.code] = int(row["id"])
        existing = await self._one("SELECT id FROM campaigns WHERE code = ?", (campaign.code,))
        definition = campaign.model_dump_json()
        fields = (
            campaign.title,
            definition,
            hashlib.sha256(definition.encode()).hexdigest(),
            campaign.deadlines.plans_due.isoformat(),
            campaign.deadlines.consolidation_due.isoformat(),
            agency_ids[campaign.consolidator.agency],
            iso(at),
        )
        if existing is None:
            cid = await self._run(
                "INSERT INTO campaigns (title, definition, digest, plans_due, consolidation_due,"
                " consolidator_id, loaded_at, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*fields, campaign.code),
            )
        else:
            cid = int(existing["id"])
            await self._run(
                "UPDATE campaigns SET title = ?, definition = ?, digest = ?, plans_due = ?,"
                " consolidation_due = ?, consolidator_id = ?, loaded_at = ? WHERE id = ?",
                (*fields, cid),
            )
        await self._run("DELETE FROM campaign_agencies WHERE campaign_id = ?", (cid,))
        for pos, a in enumerate(campaign.agencies, start=1):
            await self._run(
                "INSERT INTO campaign_agencies (campaign_id, agency_id, position) VALUES (?, ?, ?)",
                (cid, agency_ids[a.code], pos),
            )
        wanted: set[tuple[int, int]] = set()  # (plan_id, item_id)
        for pos, (key, item) in enumerate(campaign.keyed_items(), start=1):
            await self._run(
                "INSERT INTO items (campaign_id, key, group_no, position, text)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(campaign_id, key) DO UPDATE SET"
                " group_no = excluded.group_no, position = excluded.position, text = excluded.text",
                (cid, key, item.group, pos, item.text),
            )
            row = await self._one(
                "SELECT id FROM items WHERE campaign_id = ? AND key = ?", (cid, key)
            )
            assert row is not None
            for code in campaign.assigned(item):
                plan_id = await self._plan_id(cid, agency_ids[code])
                wanted.add((plan_id, int(row["id"])))
        added = retired = 0
        current = await self._all(
            "SELECT a.id, a.plan_id, a.item_id, a.active FROM assignments a"
            " JOIN plans p ON p.id = a.plan_id WHERE p.campaign_id = ?",
            (cid,),
        )
        have = {(int(r["plan_id"]), int(r["item_id"])): r for r in current}
        for pair in wanted:
            row = have.get(pair)
            if row is None:
                await self._run("INSERT INTO assignments (plan_id, item_id) VALUES (?, ?)", pair)
                added += 1
            elif not row["active"]:
                await self._run("UPDATE assignments SET active = 1 WHERE id = ?", (row["id"],))
        for pair, row in have.items():
            if pair not in wanted and row["active"]:
                # No longer assigned: hidden, never deleted, so no answer is lost.
                await self._run("UPDATE assignments SET active = 0 WHERE id = ?", (row["id"],))
                retired += 1
        if activate:
            await self.activate(cid)
        return LoadResult(
            campaign_id=cid,
            created=existing is None,
            agencies=len(campaign.agencies),
            items=len(campaign.items),
            assignments_added=added,
            assignments_retired=retired,
        )

    async def _plan_id(self, campaign_id: int, agency_id: int) -> int:
        await self._run(
            "INSERT OR IGNORE INTO plans (campaign_id, agency_id) VALUES (?, ?)",
            (campaign_id, agency_id),
        )
        row = await self._one(
            "SELECT id FROM plans WHERE campaign_id = ? AND agency_id = ?",
            (campaign_id, agency_id),
        )
        assert row is not None
        return int(row["id"])

    async def activate(self, campaign_id: int) -> None:
        await self._run("UPDATE campaigns SET is_active = 0 WHERE is_active = 1")
        await self._run("UPDATE campaigns SET is_active = 1 WHERE id = ?", (campaign_id,))

    async def summary(self) -> Summary | None:
        row = await self._one(
            "SELECT c.id, c.code, c.title, c.plans_due, a.id AS aid, a.code AS acode,"
            " a.name AS aname,"
            " (SELECT COUNT(*) FROM campaign_agencies WHERE campaign_id = c.id) AS agencies,"
            " (SELECT COUNT(*) FROM items WHERE campaign_id = c.id) AS items"
            " FROM campaigns c JOIN agencies a ON a.id = c.consolidator_id WHERE c.is_active = 1"
        )
        if row is None:
            return None
        return Summary(
            id=row["id"],
            code=row["code"],
            title=row["title"],
            consolidator=Agency(id=row["aid"], code=row["acode"], name=row["aname"]),
            agencies=row["agencies"],
            items=row["items"],
            plans_due=row["plans_due"],
        )

    async def active(self) -> ActiveCampaign | None:
        """The active campaign; its definition is parsed once per load, not once per update."""
        return await self._campaign("c.is_active = 1", ())

    async def by_id(self, campaign_id: int) -> ActiveCampaign | None:
        return await self._campaign("c.id = ?", (campaign_id,))

    async def _campaign(self, where: str, params: tuple[object, ...]) -> ActiveCampaign | None:
        row = await self._one(
            "SELECT c.id, c.digest, a.id AS aid, a.code, a.name FROM campaigns c"
            " JOIN agencies a ON a.id = c.consolidator_id WHERE " + where,
            params,
        )
        if row is None:
            return None
        key = str(row["digest"])
        definition = _DEFINITIONS.get(key) if key else None
        if definition is None:
            text = await self._one("SELECT definition FROM campaigns WHERE id = ?", (row["id"],))
            assert text is not None
            definition = stored_campaign(text[0])
            if len(_DEFINITIONS) >= 4:
                _DEFINITIONS.clear()
            if key:
                _DEFINITIONS[key] = definition
        return ActiveCampaign(
            id=row["id"],
            definition=definition,
            consolidator=Agency(id=row["aid"], code=row["code"], name=row["name"]),
        )

    async def active_source_digest(self) -> str:
        """The digest of the file bytes the active campaign was last loaded from at start."""
        row = await self._one("SELECT source_digest FROM campaigns WHERE is_active = 1")
        return str(row[0]) if row else ""

    async def set_source_digest(self, code: str, digest: str) -> None:
        await self._run("UPDATE campaigns SET source_digest = ? WHERE code = ?", (digest, code))

    async def stored_digest(self, code: str) -> str | None:
        """The digest of the stored definition: compared with a file's at start, cheaply."""
        row = await self._one("SELECT digest FROM campaigns WHERE code = ?", (code,))
        return str(row[0]) if row else None

    async def list_codes(self) -> list[tuple[str, bool]]:
        rows = await self._all("SELECT code, is_active FROM campaigns ORDER BY id")
        return [(r["code"], bool(r["is_active"])) for r in rows]

    async def agencies(self, campaign_id: int) -> list[Agency]:
        rows = await self._all(
            "SELECT a.id, a.code, a.name FROM campaign_agencies ca"
            " JOIN agencies a ON a.id = ca.agency_id WHERE ca.campaign_id = ? ORDER BY ca.position",
            (campaign_id,),
        )
        return [Agency(id=r["id"], code=r["code"], name=r["name"]) for r in rows]

    async def offered(
        self, campaign_id: int, limit: int, ids: tuple[int, ...] = (), names: tuple[str, ...] = ()
    ) -> list[Agency]:
        """The first ``limit`` agencies of the campaign, plus those named by id or name."""
        marks = ",".join("?" * len(ids)) or "NULL"
        name_marks = ",".join("?" * len(names)) or "NULL"
        rows = await self._all(
            "SELECT a.id, a.code, a.name FROM campaign_agencies ca"
            " JOIN agencies a ON a.id = ca.agency_id WHERE ca.campaign_id = ?"
            f" AND (ca.position <= ? OR a.id IN ({marks}) OR a.name IN ({name_marks}))"
            " ORDER BY ca.position",
            (campaign_id, limit, *ids, *names),
        )
        return [Agency(id=r["id"], code=r["code"], name=r["name"]) for r in rows]

    async def campaign_agency(self, campaign_id: int, agency_id: int) -> Agency | None:
        row = await self._one(
            "SELECT a.id, a.code, a.name FROM campaign_agencies ca JOIN agencies a"
            " ON a.id = ca.agency_id WHERE ca.campaign_id = ? AND a.id = ?",
            (campaign_id, agency_id),
        )
        return Agency(id=row["id"], code=row["code"], name=row["name"]) if row else None

    async def removed_with_data(self, campaign_id: int) -> list[Removed]:
        """Agencies outside the campaign's list that have a plan with measures or submissions,
        proposals, or people in it: what an edited campaign file left behind."""
        rows = await self._all(
            "SELECT a.code, a.name,"
            " (SELECT COUNT(*) FROM measures m JOIN assignments s ON s.id = m.assignment_id"
            "  JOIN plans p ON p.id = s.plan_id WHERE p.agency_id = a.id AND p.campaign_id = ?"
            "  AND m.deleted_at IS NULL) AS measures,"
            " (SELECT COUNT(*) FROM submissions b JOIN plans p ON p.id = b.plan_id"
            "  WHERE p.agency_id = a.id AND p.campaign_id = ?) AS submissions,"
            " (SELECT COUNT(*) FROM proposals k WHERE k.campaign_id = ? AND k.filed_at IS NOT NULL"
            "  AND (k.from_agency_id = a.id OR k.responsible_agency_id = a.id)) AS proposals,"
            " (SELECT COUNT(DISTINCT u.user_id) FROM memberships u WHERE u.agency_id = a.id)"
            "  AS people"
            " FROM agencies a WHERE a.id NOT IN"
            " (SELECT agency_id FROM campaign_agencies WHERE campaign_id = ?) ORDER BY a.code",
            (campaign_id, campaign_id, campaign_id, campaign_id),
        )
        return [
            Removed(r[0], r[1], r[2], r[3], r[4], r[5])
            for r in rows
            if r[2] or r[3] or r[4] or r[5]
        ]

    async def agency_by_code(self, code: str) -> Agency | None:
        row = await self._one("SELECT id, code, name FROM agencies WHERE code = ?", (code,))
        return Agency(id=row["id"], code=row["code"], name=row["name"]) if row else None

    async def agency(self, agency_id: int) -> Agency | None:
        row = await self._one("SELECT id, code, name FROM agencies WHERE id = ?", (agency_id,))
        return Agency(id=row["id"], code=row["code"], name=row["name"]) if row else None
