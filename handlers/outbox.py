"""Queueing what the core decided to say, in the transaction of the change that caused it.

Each Reply becomes an outbox row for its channel and recipient. A channel without buttons gets the
choices numbered when rendered; the payloads of those numbers are kept with the recipient's
conversation (same transaction), so "2" means the same after a restart.
"""

from __future__ import annotations

import datetime as dt

from db.outbox import BROADCAST, NOTICE, REPLY
from db.repos import Repos
from handlers.types import Document, Outgoing, Recipient, Reply, StoredFile

DOCUMENTS_KEPT = dt.timedelta(days=7)  # how long a file made for someone can be fetched again

__all__ = ["BROADCAST", "NOTICE", "REPLY", "enqueue"]


async def enqueue(
    tx: Repos,
    replies: list[Reply],
    now: dt.datetime,
    *,
    numbered: frozenset[str],
    default: Recipient | None = None,
    kind: str = "reply",
    priority: int | None = None,
    edit_ref: str | None = None,
) -> set[str]:
    """Queue ``replies``; returns the channels that have new messages. Without an explicit
    ``priority``, messages to ``default`` (the person who wrote) are replies, others notices."""
    channels: set[str] = set()
    menus: dict[Recipient, tuple[str, ...]] = {}
    for reply in replies:
        to = reply.to or default
        if to is None:
            raise ValueError("a reply without a recipient")
        if not reply.text and reply.document is None:
            continue
        level = priority if priority is not None else (REPLY if to == default else NOTICE)
        message = Outgoing(
            text=reply.text,
            choices=tuple(tuple((c.label, c.data) for c in row) for row in reply.choices),
            edit_ref=edit_ref if reply.edit and to == default else None,
        )
        document_id = None
        doc = reply.document
        if isinstance(doc, Document):  # a file made inside the transaction (small ones only)
            document_id = await tx.documents.add(
                doc.filename, "application/octet-stream", doc.content, now, DOCUMENTS_KEPT
            )
        elif isinstance(doc, StoredFile):
            document_id = doc.id
        if doc is not None:
            message = Outgoing(document_id=document_id, filename=doc.filename, caption=doc.caption)
        await tx.outbox.add(
            to.channel, to.external_id, level, kind, message.to_json(), now, document_id
        )
        channels.add(to.channel)
        if to.channel in numbered and reply.choices:
            menus[to] = tuple(data for _label, data in message.flat_choices)
    for to, menu in menus.items():
        user = await tx.users.get(to.channel, to.external_id)
        if user is not None:
            await tx.conversations.set_menu(user.id, menu, now)
    return channels
