"""Users of every channel, their roles in agencies, and one-time invites."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, from_iso, iso
from domain.model import Agency, Role
from domain.text import display_name as clean_name


class User(BaseModel):
    id: int
    channel: str
    external_id: str
    display_name: str
    locale: str | None = None
    blocked_at: dt.datetime | None = None


class Membership(BaseModel):
    user_id: int
    agency: Agency
    role: Role


class Invite(BaseModel):
    id: int
    agency: Agency
    role: Role
    expires_at: dt.datetime
    used_at: dt.datetime | None


class UserRow(BaseModel):
    user: User
    memberships: list[Membership]


class UserRepo(Repository):
    async def get(self, channel: str, external_id: str) -> User | None:
        row = await self._one(
            "SELECT * FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return _user(row) if row else None

    async def by_id(self, user_id: int) -> User | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def ensure(
        self, channel: str, external_id: str, display_name: str, at: dt.datetime
    ) -> User:
        await self._run(
            "INSERT INTO users (channel, external_id, display_name, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(channel, external_id) DO UPDATE SET display_name = excluded.display_name"
            " WHERE users.display_name != excluded.display_name",
            (channel, external_id, clean_name(display_name), iso(at)),
        )
        user = await self.get(channel, external_id)
        assert user is not None
        return user

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self._run("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))

    async def set_blocked(self, user_id: int, at: dt.datetime | None) -> None:
        await self._run(
            "UPDATE users SET blocked_at = ? WHERE id = ?", (iso(at) if at else None, user_id)
        )

    async def memberships(self, user_id: int) -> list[Membership]:
        rows = await self._all(
            "SELECT m.user_id, m.role, a.id, a.code, a.name FROM memberships m"
            " JOIN agencies a ON a.id = m.agency_id WHERE m.user_id = ? ORDER BY m.id",
            (user_id,),
        )
        return [_membership(r) for r in rows]

    async def grant(self, user_id: int, agency_id: int, role: Role, at: dt.datetime) -> bool:
        """Give a role; False if the user already had it."""
        count = await self._run(
            "INSERT OR IGNORE INTO memberships (user_id, agency_id, role, created_at)"
            " VALUES (?, ?, ?, ?)",
            (user_id, agency_id, role.value, iso(at)),
        )
        row = await self._one("SELECT changes()")
        return bool(count) and bool(row and row[0])

    async def revoke(self, user_id: int) -> int:
        """Remove every role of the user; returns how many were removed."""
        return await self._run("DELETE FROM memberships WHERE user_id = ?", (user_id,))

    async def with_role(self, role: Role, agency_id: int | None = None) -> list[User]:
        sql = (
            "SELECT DISTINCT u.* FROM users u JOIN memberships m ON m.user_id = u.id"
            " WHERE m.role = ?"
        )
        params: list[object] = [role.value]
        if agency_id is not None:
            sql += " AND m.agency_id = ?"
            params.append(agency_id)
        return [_user(r) for r in await self._all(sql + " ORDER BY u.id", params)]

    async def people_by_agency(
        self, role: Role = Role.FOCAL, agency_ids: tuple[int, ...] | None = None
    ) -> dict[int, list[User]]:
        """Every holder of ``role`` (in ``agency_ids`` only, if given), grouped by agency id."""
        only, params = "", [role.value, *(agency_ids or ())]
        if agency_ids is not None:
            only = f" AND m.agency_id IN ({','.join('?' * len(agency_ids)) or 'NULL'})"
        rows = await self._all(
            "SELECT m.agency_id AS agency_of, u.* FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE m.role = ?" + only + " ORDER BY m.agency_id, u.id",
            params,
        )
        out: dict[int, list[User]] = {}
        for r in rows:
            out.setdefault(int(r["agency_of"]), []).append(_user(r))
        return out

    async def role_elsewhere(self, role: Role, agency_id: int) -> list[Membership]:
        """Holders of ``role`` in any agency but ``agency_id`` (consolidator rights granted to
        the wrong agency by an older version: they give no rights, and are reported)."""
        rows = await self._all(
            "SELECT m.user_id, m.role, a.id, a.code, a.name FROM memberships m"
            " JOIN agencies a ON a.id = m.agency_id WHERE m.role = ? AND m.agency_id != ?"
            " ORDER BY m.id",
            (role.value, agency_id),
        )
        return [_membership(r) for r in rows]

    async def listing(self) -> list[UserRow]:
        rows = await self._all(
            "SELECT DISTINCT u.* FROM users u JOIN memberships m ON m.user_id = u.id ORDER BY u.id"
        )
        return [UserRow(user=_user(r), memberships=await self.memberships(r["id"])) for r in rows]

    # Invites ---------------------------------------------------------------------------------

    async def create_invite(
        self,
        code_hash: str,
        agency_id: int,
        role: Role,
        at: dt.datetime,
        expires_at: dt.datetime,
        created_by: int | None,
    ) -> int:
        return await self._run(
            "INSERT INTO invites (code_hash, agency_id, role, created_at, expires_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (code_hash, agency_id, role.value, iso(at), iso(expires_at), created_by),
        )

    async def invite(self, code_hash: str) -> Invite | None:
        row = await self._one(
            "SELECT i.id, i.role, i.expires_at, i.used_at, a.id AS aid, a.code, a.name"
            " FROM invites i JOIN agencies a ON a.id = i.agency_id WHERE i.code_hash = ?",
            (code_hash,),
        )
        if row is None:
            return None
        return Invite(
            id=row["id"],
            agency=Agency(id=row["aid"], code=row["code"], name=row["name"]),
            role=Role(row["role"]),
            expires_at=from_iso(row["expires_at"]),
            used_at=from_iso(row["used_at"]),
        )

    async def use_invite(self, invite_id: int, user_id: int, at: dt.datetime) -> bool:
        """Mark an invite used; False if someone used it first."""
        return bool(
            await self._run(
                "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
                (iso(at), user_id, invite_id),
            )
        )


def _user(row: object) -> User:
    r = row  # aiosqlite.Row
    return User(
        id=r["id"],  # type: ignore[index]
        channel=r["channel"],  # type: ignore[index]
        external_id=r["external_id"],  # type: ignore[index]
        display_name=r["display_name"],  # type: ignore[index]
        locale=r["locale"],  # type: ignore[index]
        blocked_at=from_iso(r["blocked_at"]),  # type: ignore[index]
    )


def _membership(r: object) -> Membership:
    return Membership(
        user_id=r["user_id"],  # type: ignore[index]
        role=Role(r["role"]),  # type: ignore[index]
        agency=Agency(id=r["id"], code=r["code"], name=r["name"]),  # type: ignore[index]
    )
