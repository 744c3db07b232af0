"""Queueing what the core decided to say, in the transaction of the change that caused it.

Each Reply becomes an outbox row for its channel and recipient. For a channel without buttons the
choices are written into the text as numbered lines (``handlers.numbered``) and the menu — labels
and payloads — is kept with the recipient's conversation in the same transaction, so "2" means
the same after a restart. Only the person's own replies set it, and notices to someone not in
the middle of a step: a broadcast (reminder, nudge) never takes it over — its choices are listed
without numbers, with the command to send — so "1" keeps meaning what the person is answering.
Consecutive short replies to one person are merged into one message there (fewer messages, and
a monthly quota to respect).
"""

from __future__ import annotations

import datetime as dt

from db.outbox import BROADCAST, NOTICE, REPLY, OutboxItem
from db.repos import Repos
from handlers.markup import BREAK
from handlers.numbered import lines as numbered_lines
from handlers.numbered import unnumbered
from handlers.types import Document, Outgoing, Recipient, Reply, StoredFile

MERGE_UP_TO = 1500  # characters: merged replies stay one message on a 2,000-character channel

DOCUMENTS_KEPT = dt.timedelta(days=7)  # how long a file made for someone can be fetched again

__all__ = ["BROADCAST", "NOTICE", "REPLY", "enqueue", "queue"]


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
    """Queue ``replies``; returns the channels that have new messages (their senders read them
    from the database once woken)."""
    queued = await queue(
        tx,
        replies,
        now,
        numbered=numbered,
        default=default,
        kind=kind,
        priority=priority,
        edit_ref=edit_ref,
    )
    return {item.channel for item in queued}


async def queue(
    tx: Repos,
    replies: list[Reply],
    now: dt.datetime,
    *,
    numbered: frozenset[str],
    default: Recipient | None = None,
    kind: str = "reply",
    priority: int | None = None,
    edit_ref: str | None = None,
) -> list[OutboxItem]:
    """Queue ``replies``; returns the rows queued (a sender can be handed them once the
    transaction commits). Without an explicit ``priority``, messages to ``default`` (the person
    who wrote) are replies, others notices."""
    queued: list[OutboxItem] = []
    menus: dict[Recipient, tuple[tuple[str, str], ...]] = {}
    replies = _merged(replies, default, numbered)
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
            upload=reply.upload,
        )
        if to.channel in numbered and message.choices:
            menu = tuple(message.flat_choices)
            if to == default or (level == NOTICE and not await _mid_step(tx, to)):
                menus[to] = menu
                listed = numbered_lines(menu)
            else:  # the menu in force is that of the person's own conversation
                listed = unnumbered(menu, mid_step=level == NOTICE)
            text = f"{reply.text}{BREAK}{listed}" if reply.text else listed
            message = Outgoing(text=text, upload=reply.upload)
        elif message.choices and to == default:
            # the choices on the person's screen: a label typed instead of tapped acts as it
            # (handlers.numbered.read), on every channel
            menus[to] = tuple(message.flat_choices)
        document_id = None
        doc = reply.document
        if isinstance(doc, Document):  # a file made inside the transaction (small ones only)
            document_id = await tx.documents.add(
                doc.filename,
                "application/octet-stream",
                doc.content,
                now,
                DOCUMENTS_KEPT,
                agency_id=doc.agency_id,
            )
        elif isinstance(doc, StoredFile):
            document_id = doc.id
        if doc is not None:
            message = Outgoing(document_id=document_id, filename=doc.filename, caption=doc.caption)
        queued.append(
            await tx.outbox.add(
                to.channel, to.external_id, level, kind, message.to_json(), now, document_id
            )
        )
    for to, menu in menus.items():
        user = await tx.users.get(to.channel, to.external_id)
        if user is not None:
            await tx.conversations.set_menu(user.id, menu, now)
    return queued


async def _mid_step(tx: Repos, to: Recipient) -> bool:
    """Whether the recipient is answering a question (a step other than idle) right now."""
    user = await tx.users.get(to.channel, to.external_id)
    return user is not None and (await tx.conversations.get(user.id)).step != "idle"


def _merged(
    replies: list[Reply], default: Recipient | None, numbered: frozenset[str]
) -> list[Reply]:
    """For numbered channels: a text reply without choices followed by another text reply to
    the same person becomes one message ("Đã lưu." and the next question read as one)."""
    if not numbered:
        return replies
    out: list[Reply] = []
    for reply in replies:
        prev = out[-1] if out else None
        to = reply.to or default
        if (
            prev is not None
            and to is not None
            and to.channel in numbered
            and (prev.to or default) == to
            and not prev.choices
            and prev.document is None
            and reply.document is None
            and prev.text
            and reply.text
            and not prev.edit
            and len(prev.text) + len(reply.text) <= MERGE_UP_TO
        ):
            out[-1] = Reply(
                text=f"{prev.text}{BREAK}{reply.text}",
                choices=reply.choices,
                to=reply.to,
                edit=reply.edit,
                toast=prev.toast or reply.toast,
                upload=prev.upload or reply.upload,
            )
            continue
        out.append(reply)
    return out
